// Run by tests/e2e/layout.py (page.evaluate): what a finger on a phone cannot reach.
// Returns one line per problem: a visible control outside the viewport horizontally or clipped by an
// ancestor (overflow other than visible), and a document wider than the viewport.
(slack) => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const describe = (el) => {
    let text = (el.innerText || el.value || el.getAttribute('aria-label') || el.getAttribute('name') || '')
      .trim().replace(/\s+/g, ' ');
    if (text.length > 40) text = text.slice(0, 40) + '…';
    const id = el.id ? '#' + el.id : '';
    const cls = el.classList.length ? '.' + [...el.classList].slice(0, 3).join('.') : '';
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const r = el.getBoundingClientRect();
    // visually-hidden helpers (1px, clipped) are for screen readers, not for fingers
    return r.width > 1 && r.height > 1;
  };
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])');
  for (const el of controls) {
    if (!visible(el) || el.closest('[hidden], [aria-hidden=true]')) continue;
    const r = el.getBoundingClientRect();
    if (r.left < -slack || r.right > vw + slack) {
      problems.push(`${describe(el)} reaches outside the viewport ` +
        `(x ${Math.round(r.left)}…${Math.round(r.right)}, viewport ${vw})`);
      continue;
    }
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'visible') continue;
      const b = a.getBoundingClientRect();
      if (r.left < b.left - slack || r.right > b.right + slack) {
        const how = (ox === 'auto' || ox === 'scroll') ? 'behind a horizontal scroll of' : 'clipped by';
        problems.push(`${describe(el)} is ${how} ${describe(a)} (x ${Math.round(r.left)}…${Math.round(r.right)}, box ${Math.round(b.left)}…${Math.round(b.right)})`);
        break;
      }
    }
  }
  const sw = document.documentElement.scrollWidth;
  if (sw > vw + slack) {
    // name the widest element that sticks out, so the message says what to fix
    let widest = null, right = vw;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > right + slack && r.width > 0 && getComputedStyle(el).position !== 'fixed') { widest = el; right = r.right; }
    }
    problems.push(`the page is ${sw}px wide in a ${vw}px viewport` + (widest ? ` (widest: ${describe(widest)})` : ''));
  }
  return problems;
}
