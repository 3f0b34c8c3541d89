"""``{% shell %}``: a page's frame rendered once per process for each value of what it depends on,
with ``{% hole %}``s rendered for each request (issue 15).

base.html is mostly the same for everyone who shares a language and a set of roles: the head, the
menus, the labels and links of the navigation and the footer. Rendering its hundred-odd template
nodes again on every page cost more CPU than many pages' own content. So::

    {% shell LANGUAGE_CODE nav_key user.is_authenticated %}
      … rendered once for each (language, roles, logged in) …
      {% hole %}{{ user.real_name }}{% endhole %}
      … {% hole %}{% block content %}{% endblock %}{% endhole %} …
    {% endshell %}

The first time a shell meets a combination of its values it renders its content with each hole
left as a marker, and keeps the text between the markers; from then on it renders only the holes,
each with the whole context of the page, and joins them with the kept text. The output is the same
byte for byte.

The rule that keeps it right: **everything outside a hole may depend only on the shell's values**
(and on what is fixed for the process: the code, the translations, the URLs and static files).
Whatever is the person's, the request's or the moment's (a name, a count, a CSRF token, the path,
the messages, the year, a block a page fills) goes in a hole. A hole sees the shell's context, not
variables set by tags around it inside the shell (a ``{% for %}`` loop's variable, an ``as``
variable), so holes are not put inside loops. What is kept is bounded
(``MAX_ENTRIES`` per shell) and emptied when a setting changes (tests)."""

from __future__ import annotations

import contextvars
import secrets
import weakref

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import NodeList
from django.template.loader_tags import BlockNode
from django.utils.functional import LazyObject, Promise
from django.utils.safestring import mark_safe

register = template.Library()

#: Combinations kept per shell before it starts again (languages × sets of roles are a few dozen).
MAX_ENTRIES = 256

#: The holes met while a shell renders its frame (None when it does not).
_collecting: contextvars.ContextVar[list | None] = contextvars.ContextVar("shell_collecting", default=None)
_MARKER = "\x00shell-hole-" + secrets.token_hex(8) + "\x00"
_shells: weakref.WeakSet = weakref.WeakSet()


@receiver(setting_changed)
def _forget_frames(**kwargs) -> None:
    """A setting changed (tests): URLs, static files or languages may render otherwise."""
    for node in list(_shells):
        node.frames.clear()


def forget_frames() -> None:
    _forget_frames()


def _plain(value):
    """A lazy value (``nav_key`` is one) as the text it stands for: a kept key holds no request's
    objects (the lazy ``nav_key`` would keep its request's user alive)."""
    if isinstance(value, (LazyObject, Promise)):
        return str(value)
    return value


class HoleNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        holes = _collecting.get()
        if holes is not None:
            holes.append(self)
            return _MARKER
        return self.nodelist.render(context)


class ShellNode(template.Node):
    #: What template machinery walks (``{% extends %}`` looks for the blocks on every render): the
    #: holes only, where the blocks are, not the frame's hundreds of nodes.
    child_nodelists = ("holes",)

    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.holes = NodeList(nodelist.get_nodes_by_type(HoleNode))
        #: (values) -> (texts, holes): len(texts) == len(holes) + 1.
        self.frames: dict[tuple, tuple[list[str], list[HoleNode]]] = {}
        _shells.add(self)

    def render(self, context):
        outer = _collecting.get()
        if outer is not None:  # inside another shell's frame (an include): all of it is a hole there
            outer.append(self)
            return _MARKER
        key = tuple(_plain(var.resolve(context)) for var in self.vary_on)
        frame = self.frames.get(key)
        if frame is None:
            frame = self._frame(context)
            if len(self.frames) >= MAX_ENTRIES:
                self.frames.clear()
            self.frames[key] = frame
        texts, holes = frame
        out = [texts[0]]
        for hole, text in zip(holes, texts[1:], strict=True):
            out.append(hole.nodelist.render(context))
            out.append(text)
        return mark_safe("".join(out))  # noqa: S308 - the template's own output, escaped as it rendered

    def _frame(self, context):
        holes: list[HoleNode] = []
        token = _collecting.set(holes)
        try:
            rendered = self.nodelist.render(context)
        finally:
            _collecting.reset(token)
        texts = rendered.split(_MARKER)
        if len(texts) != len(holes) + 1:
            raise template.TemplateSyntaxError("A {% shell %} rendered text holding its own hole marker.")
        return texts, holes


@register.tag
def shell(parser, token):
    """``{% shell value… %}…{% endshell %}``: see the module's documentation."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% shell %} needs the values its frame depends on.")
    nodelist = parser.parse(("endshell",))
    parser.delete_first_token()
    node = ShellNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]])
    if len(nodelist.get_nodes_by_type(BlockNode)) != len(node.holes.get_nodes_by_type(BlockNode)):
        raise template.TemplateSyntaxError("A {% block %} inside a {% shell %} must be inside a {% hole %}: "
                                           "the page fills it.")
    return node


@register.tag
def hole(parser, token):
    """``{% hole %}…{% endhole %}``: inside a ``{% shell %}``, what is rendered for each request."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% hole %} takes no arguments.")
    nodelist = parser.parse(("endhole",))
    parser.delete_first_token()
    return HoleNode(nodelist)
