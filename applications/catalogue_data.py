"""Static catalogue of the 27 national professional-title series (职称系列).

Sources: the series list follows the 27 series named in the 中共中央办公厅、国务院
办公厅《关于深化职称制度改革的意见》(2016) and the series-by-series guidance
opinions issued jointly by 人力资源社会保障部 and the competent ministries between
2016 and 2022 (e.g. 工程技术 人社部发〔2019〕16号, 体育 人社部发〔2020〕76号, 播音主持
人社部发〔2021〕9号); title names per level are taken
from those documents and, for series whose titles were not renamed by the reform
(船舶, 民用航空飞行), from the earlier 职务试行条例 as recorded in GB/T 8561
《专业技术职务代码》.  Level codes map as assistant_junior=员级, junior=助理级,
intermediate=中级, deputy_senior=副高级, senior=正高级; a level key is omitted
where the series has no title at that level.  Where a series names its titles
by sub-track, ``titles`` carries the most representative track (e.g. health:
doctors; art: performers; journalism: reporters) and the other tracks appear
under ``specialties``; the only exception is a level that exists in the series
but not in the representative track (publishing 员级), where the other tracks'
names are given, joined with "、".  ``QUALIFICATION_CORRESPONDENCE`` lists
professional qualifications (职业资格) that, under the 人社部 correspondence
between qualifications and titles (rule R4.7), count as holding the title of the
given series and level; only rows in the engineering and accounting fields whose
correspondence is well established are included.  Specialty lists are common,
non-exhaustive selections chosen for the Xinjiang portal.
"""

from __future__ import annotations

LEVELS = ("assistant_junior", "junior", "intermediate", "deputy_senior", "senior")
# 员级, 助理级, 中级, 副高级, 正高级

SERIES: list[dict] = [
    # 1. 高等学校教师
    {
        "code": "higher_education",
        "name_zh": "高等学校教师",
        "name_en": "Higher Education Teachers",
        "titles": {
            "junior": "助教",
            "intermediate": "讲师",
            "deputy_senior": "副教授",
            "senior": "教授",
        },
        "titles_en": {
            "junior": "Teaching Assistant",
            "intermediate": "Lecturer",
            "deputy_senior": "Associate Professor",
            "senior": "Professor",
        },
        "specialties": [
            ("philosophy", "哲学", "Philosophy"),
            ("economics", "经济学", "Economics"),
            ("law", "法学", "Law"),
            ("education", "教育学", "Education"),
            ("literature", "文学", "Literature"),
            ("history", "历史学", "History"),
            ("science", "理学", "Natural Sciences"),
            ("engineering", "工学", "Engineering"),
            ("agronomy", "农学", "Agriculture"),
            ("medicine", "医学", "Medicine"),
            ("management", "管理学", "Management"),
            ("arts", "艺术学", "Arts"),
        ],
    },
    # 2. 哲学社会科学研究人员
    {
        "code": "social_science_research",
        "name_zh": "哲学社会科学研究人员",
        "name_en": "Philosophy and Social Science Researchers",
        "titles": {
            "junior": "研究实习员",
            "intermediate": "助理研究员",
            "deputy_senior": "副研究员",
            "senior": "研究员",
        },
        "titles_en": {
            "junior": "Research Intern",
            "intermediate": "Assistant Research Fellow",
            "deputy_senior": "Associate Research Fellow",
            "senior": "Research Fellow",
        },
        "specialties": [
            ("philosophy", "哲学", "Philosophy"),
            ("economics", "经济学", "Economics"),
            ("law", "法学", "Law"),
            ("political_science", "政治学", "Political Science"),
            ("sociology", "社会学", "Sociology"),
            ("ethnology", "民族学", "Ethnology"),
            ("history", "历史学", "History"),
            ("literature", "文学", "Literature"),
            ("linguistics", "语言学", "Linguistics"),
            ("management", "管理学", "Management"),
        ],
    },
    # 3. 自然科学研究人员
    {
        "code": "natural_science_research",
        "name_zh": "自然科学研究人员",
        "name_en": "Natural Science Researchers",
        "titles": {
            "junior": "研究实习员",
            "intermediate": "助理研究员",
            "deputy_senior": "副研究员",
            "senior": "研究员",
        },
        "titles_en": {
            "junior": "Research Intern",
            "intermediate": "Assistant Research Fellow",
            "deputy_senior": "Associate Research Fellow",
            "senior": "Research Fellow",
        },
        "specialties": [
            ("mathematics_physics", "数理科学", "Mathematical and Physical Sciences"),
            ("chemistry", "化学科学", "Chemical Sciences"),
            ("life_sciences", "生命科学", "Life Sciences"),
            ("earth_sciences", "地球科学", "Earth Sciences"),
            ("engineering_materials", "工程与材料科学", "Engineering and Materials Sciences"),
            ("information_sciences", "信息科学", "Information Sciences"),
            ("agricultural_sciences", "农业科学", "Agricultural Sciences"),
            ("medical_sciences", "医学科学", "Medical Sciences"),
        ],
    },
    # 4. 卫生技术人员
    {
        "code": "health",
        "name_zh": "卫生技术人员",
        "name_en": "Health Professionals",
        "titles": {
            "assistant_junior": "医士",
            "junior": "医师",
            "intermediate": "主治医师",
            "deputy_senior": "副主任医师",
            "senior": "主任医师",
        },
        "titles_en": {
            "assistant_junior": "Assistant Physician",
            "junior": "Physician",
            "intermediate": "Attending Physician",
            "deputy_senior": "Associate Chief Physician",
            "senior": "Chief Physician",
        },
        "specialties": [
            ("clinical_medicine", "临床医学", "Clinical Medicine"),
            ("traditional_chinese_medicine", "中医", "Traditional Chinese Medicine"),
            ("ethnic_medicine", "民族医（维吾尔医、哈萨克医、蒙医）", "Ethnic Medicine (Uyghur, Kazakh, Mongolian)"),
            ("stomatology", "口腔医学", "Stomatology"),
            ("public_health", "公共卫生", "Public Health"),
            ("pharmacy", "药学类（药士—主任药师）", "Pharmacy Track (Pharmacist titles)"),
            ("nursing", "护理类（护士—主任护师）", "Nursing Track (Nurse titles)"),
            ("medical_technology", "技术类（技士—主任技师）", "Medical Technology Track (Technologist titles)"),
        ],
    },
    # 5. 工程技术人员
    {
        "code": "engineering",
        "name_zh": "工程技术人员",
        "name_en": "Engineering",
        "titles": {
            "assistant_junior": "技术员",
            "junior": "助理工程师",
            "intermediate": "工程师",
            "deputy_senior": "高级工程师",
            "senior": "正高级工程师",
        },
        "titles_en": {
            "assistant_junior": "Technician",
            "junior": "Assistant Engineer",
            "intermediate": "Engineer",
            "deputy_senior": "Senior Engineer",
            "senior": "Professor-level Senior Engineer",
        },
        "specialties": [
            ("mechanical", "机械工程", "Mechanical Engineering"),
            ("electrical", "电气工程", "Electrical Engineering"),
            ("civil_construction", "土木建筑工程", "Civil and Building Engineering"),
            ("chemical", "化工", "Chemical Engineering"),
            ("petroleum_gas", "石油天然气", "Petroleum and Natural Gas"),
            ("coal", "煤炭", "Coal"),
            ("metallurgy", "冶金", "Metallurgy"),
            ("electronics", "电子信息", "Electronics and Information"),
            ("computing_software", "计算机与软件", "Computing and Software"),
            ("water_resources", "水利", "Water Resources"),
            ("transport", "交通运输", "Transportation"),
            ("environmental", "环境保护", "Environmental Protection"),
        ],
    },
    # 6. 农业技术人员
    {
        "code": "agriculture",
        "name_zh": "农业技术人员",
        "name_en": "Agricultural Technicians",
        "titles": {
            "assistant_junior": "农业技术员",
            "junior": "助理农艺师",
            "intermediate": "农艺师",
            "deputy_senior": "高级农艺师",
            "senior": "正高级农艺师",
        },
        "titles_en": {
            "assistant_junior": "Agricultural Technician",
            "junior": "Assistant Agronomist",
            "intermediate": "Agronomist",
            "deputy_senior": "Senior Agronomist",
            "senior": "Professor-level Senior Agronomist",
        },
        "specialties": [
            ("agronomy", "农学", "Agronomy"),
            ("plant_protection", "植物保护", "Plant Protection"),
            ("soil_fertilizer", "土壤肥料", "Soil and Fertilizer"),
            ("horticulture", "园艺", "Horticulture"),
            ("animal_husbandry", "畜牧（畜牧师）", "Animal Husbandry (Animal Husbandry Specialist titles)"),
            ("veterinary", "兽医（兽医师）", "Veterinary Medicine (Veterinarian titles)"),
            ("aquaculture", "水产", "Aquaculture and Fisheries"),
            ("agricultural_mechanization", "农业机械化", "Agricultural Mechanization"),
            ("agricultural_economics", "农业经济管理", "Agricultural Economic Management"),
        ],
    },
    # 7. 新闻专业人员
    {
        "code": "journalism",
        "name_zh": "新闻专业人员",
        "name_en": "Journalism Professionals",
        "titles": {
            "junior": "助理记者",
            "intermediate": "记者",
            "deputy_senior": "主任记者",
            "senior": "高级记者",
        },
        "titles_en": {
            "junior": "Assistant Reporter",
            "intermediate": "Reporter",
            "deputy_senior": "Associate Senior Reporter",
            "senior": "Senior Reporter",
        },
        "specialties": [
            ("news_reporting", "新闻采访", "News Reporting"),
            ("news_editing", "新闻编辑（助理编辑—高级编辑）", "News Editing (Editor titles)"),
            ("photojournalism", "新闻摄影", "Photojournalism"),
            ("news_commentary", "新闻评论", "News Commentary"),
            ("broadcast_news", "广播电视新闻", "Radio and Television News"),
            ("online_news", "网络新闻", "Online News"),
        ],
    },
    # 8. 出版专业人员
    {
        "code": "publishing",
        "name_zh": "出版专业人员",
        "name_en": "Publishing Professionals",
        "titles": {
            "assistant_junior": "技术设计员、三级校对",
            "junior": "助理编辑",
            "intermediate": "编辑",
            "deputy_senior": "副编审",
            "senior": "编审",
        },
        "titles_en": {
            "assistant_junior": "Technical Designer / Third-class Proofreader",
            "junior": "Assistant Editor",
            "intermediate": "Editor",
            "deputy_senior": "Associate Senior Editor",
            "senior": "Senior Editor",
        },
        "specialties": [
            ("book_editing", "图书编辑", "Book Editing"),
            ("periodical_editing", "期刊编辑", "Periodical Editing"),
            ("audiovisual_electronic", "音像电子出版", "Audiovisual and Electronic Publishing"),
            ("digital_publishing", "数字出版", "Digital Publishing"),
            ("technical_editing", "技术编辑", "Technical Editing"),
            ("proofreading", "校对", "Proofreading"),
        ],
    },
    # 9. 图书资料专业人员
    {
        "code": "library",
        "name_zh": "图书资料专业人员",
        "name_en": "Library and Information Professionals",
        "titles": {
            "assistant_junior": "管理员",
            "junior": "助理馆员",
            "intermediate": "馆员",
            "deputy_senior": "副研究馆员",
            "senior": "研究馆员",
        },
        "titles_en": {
            "assistant_junior": "Library Clerk",
            "junior": "Assistant Librarian",
            "intermediate": "Librarian",
            "deputy_senior": "Associate Research Librarian",
            "senior": "Research Librarian",
        },
        "specialties": [
            ("acquisition_cataloguing", "文献采访与编目", "Acquisition and Cataloguing"),
            ("reader_services", "读者服务", "Reader Services"),
            ("reference_consulting", "参考咨询", "Reference and Consulting"),
            ("digital_library", "数字图书馆与信息技术", "Digital Library and Information Technology"),
            ("ancient_books", "古籍保护与整理", "Ancient Book Preservation"),
            ("information_resources", "信息资料", "Information and Documentation"),
        ],
    },
    # 10. 文物博物专业人员
    {
        "code": "cultural_heritage",
        "name_zh": "文物博物专业人员",
        "name_en": "Cultural Relics and Museum Professionals",
        "titles": {
            "junior": "助理馆员",
            "intermediate": "馆员",
            "deputy_senior": "副研究馆员",
            "senior": "研究馆员",
        },
        "titles_en": {
            "junior": "Assistant Curator",
            "intermediate": "Curator",
            "deputy_senior": "Associate Research Curator",
            "senior": "Research Curator",
        },
        "specialties": [
            ("archaeology", "考古", "Archaeology"),
            ("collections", "藏品保管", "Collections Management"),
            ("conservation", "文物保护与修复", "Conservation and Restoration"),
            ("exhibition", "陈列展览", "Exhibitions"),
            ("museum_education", "社会教育", "Museum Education"),
            ("heritage_research", "文物研究", "Cultural Relics Research"),
        ],
    },
    # 11. 档案专业人员
    {
        "code": "archives",
        "name_zh": "档案专业人员",
        "name_en": "Archives Professionals",
        "titles": {
            "assistant_junior": "管理员",
            "junior": "助理馆员",
            "intermediate": "馆员",
            "deputy_senior": "副研究馆员",
            "senior": "研究馆员",
        },
        "titles_en": {
            "assistant_junior": "Archives Clerk",
            "junior": "Assistant Archivist",
            "intermediate": "Archivist",
            "deputy_senior": "Associate Research Archivist",
            "senior": "Research Archivist",
        },
        "specialties": [
            ("archival_management", "档案管理", "Archival Management"),
            ("archival_compilation", "档案编研", "Archival Compilation and Research"),
            ("archival_conservation", "档案保护技术", "Archival Conservation Technology"),
            ("archival_informatization", "档案信息化", "Archival Informatization"),
            ("archival_science", "档案学研究", "Archival Science"),
        ],
    },
    # 12. 工艺美术专业人员
    {
        "code": "arts_and_crafts",
        "name_zh": "工艺美术专业人员",
        "name_en": "Arts and Crafts Professionals",
        "titles": {
            "assistant_junior": "工艺美术员",
            "junior": "助理工艺美术师",
            "intermediate": "工艺美术师",
            "deputy_senior": "高级工艺美术师",
            "senior": "正高级工艺美术师",
        },
        "titles_en": {
            "assistant_junior": "Arts and Crafts Technician",
            "junior": "Assistant Arts and Crafts Artist",
            "intermediate": "Arts and Crafts Artist",
            "deputy_senior": "Senior Arts and Crafts Artist",
            "senior": "Professor-level Senior Arts and Crafts Artist",
        },
        "specialties": [
            ("jade_carving", "玉石雕刻", "Jade Carving"),
            ("wood_stone_carving", "木雕与石雕", "Wood and Stone Carving"),
            ("ceramics", "陶瓷", "Ceramics"),
            ("carpets_textiles", "地毯与织绣", "Carpets, Weaving and Embroidery"),
            ("metalwork_jewelry", "金属工艺与首饰", "Metalwork and Jewellery"),
            ("craft_design", "工艺美术设计", "Craft Design"),
        ],
    },
    # 13. 技工院校教师
    {
        "code": "technical_school_teachers",
        "name_zh": "技工院校教师",
        "name_en": "Technical School Teachers",
        "titles": {
            "junior": "助理讲师",
            "intermediate": "讲师",
            "deputy_senior": "高级讲师",
            "senior": "正高级讲师",
        },
        "titles_en": {
            "junior": "Assistant Lecturer",
            "intermediate": "Lecturer",
            "deputy_senior": "Senior Lecturer",
            "senior": "Professor-level Senior Lecturer",
        },
        "specialties": [
            ("theory_courses", "文化技术理论课", "Cultural and Technical Theory Courses"),
            ("practical_instruction", "生产实习课（实习指导教师）", "Practical Training (Practice Instructor titles)"),
            ("mechanical", "机械类", "Mechanical Trades"),
            ("electrical_electronic", "电工电子类", "Electrical and Electronic Trades"),
            ("information_technology", "信息类", "Information Technology"),
            ("automotive", "交通类（汽车）", "Transport (Automotive)"),
        ],
    },
    # 14. 体育专业人员
    {
        "code": "sports",
        "name_zh": "体育专业人员",
        "name_en": "Sports Professionals",
        "titles": {
            "junior": "初级教练",
            "intermediate": "中级教练",
            "deputy_senior": "高级教练",
            "senior": "正高级教练",
        },
        "titles_en": {
            "junior": "Junior Coach",
            "intermediate": "Intermediate Coach",
            "deputy_senior": "Senior Coach",
            "senior": "Professor-level Senior Coach",
        },
        "specialties": [
            ("coaching", "教练员", "Coaching"),
            ("athletic_training", "运动防护师", "Sports Protection (Athletic Training)"),
            ("athletics", "田径", "Athletics"),
            ("ball_games", "球类", "Ball Games"),
            ("combat_sports", "武术与格斗类", "Martial Arts and Combat Sports"),
            ("winter_sports", "冰雪项目", "Winter Sports"),
        ],
    },
    # 15. 翻译专业人员
    {
        "code": "translation",
        "name_zh": "翻译专业人员",
        "name_en": "Translation Professionals",
        "titles": {
            "junior": "三级翻译",
            "intermediate": "二级翻译",
            "deputy_senior": "一级翻译",
            "senior": "译审",
        },
        "titles_en": {
            "junior": "Translator/Interpreter, Level 3",
            "intermediate": "Translator/Interpreter, Level 2",
            "deputy_senior": "Translator/Interpreter, Level 1",
            "senior": "Senior Translator/Interpreter",
        },
        "specialties": [
            ("english", "英语", "English"),
            ("russian", "俄语", "Russian"),
            ("japanese", "日语", "Japanese"),
            ("french", "法语", "French"),
            ("german", "德语", "German"),
            ("arabic", "阿拉伯语", "Arabic"),
            ("uyghur_chinese", "维吾尔语—汉语", "Uyghur–Chinese"),
            ("kazakh_chinese", "哈萨克语—汉语", "Kazakh–Chinese"),
        ],
    },
    # 16. 播音主持专业人员
    {
        "code": "broadcasting",
        "name_zh": "播音主持专业人员",
        "name_en": "Broadcasting and Hosting Professionals",
        "titles": {
            "junior": "二级播音员主持人",
            "intermediate": "一级播音员主持人",
            "deputy_senior": "主任播音员主持人",
            "senior": "播音指导",
        },
        "titles_en": {
            "junior": "Announcer/Host, Level 2",
            "intermediate": "Announcer/Host, Level 1",
            "deputy_senior": "Senior Announcer/Host",
            "senior": "Broadcasting Director",
        },
        "specialties": [
            ("announcing", "播音", "Announcing"),
            ("hosting", "节目主持", "Programme Hosting"),
            ("radio", "广播", "Radio"),
            ("television", "电视", "Television"),
            ("online_audiovisual", "网络视听", "Online Audiovisual"),
            ("minority_language", "少数民族语言播音主持", "Minority-language Broadcasting"),
        ],
    },
    # 17. 艺术专业人员
    {
        "code": "art",
        "name_zh": "艺术专业人员",
        "name_en": "Art Professionals",
        "titles": {
            "junior": "四级演员",
            "intermediate": "三级演员",
            "deputy_senior": "二级演员",
            "senior": "一级演员",
        },
        "titles_en": {
            "junior": "Performer, Grade 4",
            "intermediate": "Performer, Grade 3",
            "deputy_senior": "Performer, Grade 2",
            "senior": "Performer, Grade 1",
        },
        "specialties": [
            ("performer", "演员", "Performer"),
            ("instrumentalist", "演奏员", "Instrumentalist"),
            ("playwright", "编剧", "Playwright"),
            ("director", "导演", "Director"),
            ("conductor", "指挥", "Conductor"),
            ("composer", "作曲", "Composer"),
            ("stage_design", "舞美设计", "Stage Design"),
            ("fine_arts", "美术", "Fine Arts"),
            ("literary_creation", "文学创作", "Literary Creation"),
            ("stage_technology", "舞台技术", "Stage Technology"),
        ],
    },
    # 18. 公证员
    {
        "code": "notary",
        "name_zh": "公证员",
        "name_en": "Notaries",
        "titles": {
            "junior": "四级公证员",
            "intermediate": "三级公证员",
            "deputy_senior": "二级公证员",
            "senior": "一级公证员",
        },
        "titles_en": {
            "junior": "Notary, Grade 4",
            "intermediate": "Notary, Grade 3",
            "deputy_senior": "Notary, Grade 2",
            "senior": "Notary, Grade 1",
        },
        "specialties": [
            ("civil", "民事公证", "Civil Notarization"),
            ("commercial", "经济公证", "Commercial Notarization"),
            ("foreign_related", "涉外公证", "Foreign-related Notarization"),
            ("evidence_preservation", "证据保全", "Evidence Preservation"),
        ],
    },
    # 19. 统计专业人员
    {
        "code": "statistics",
        "name_zh": "统计专业人员",
        "name_en": "Statisticians",
        "titles": {
            "junior": "助理统计师",
            "intermediate": "统计师",
            "deputy_senior": "高级统计师",
            "senior": "正高级统计师",
        },
        "titles_en": {
            "junior": "Assistant Statistician",
            "intermediate": "Statistician",
            "deputy_senior": "Senior Statistician",
            "senior": "Professor-level Senior Statistician",
        },
        "specialties": [
            ("government_statistics", "政府统计", "Government Statistics"),
            ("economic_statistics", "经济统计", "Economic Statistics"),
            ("social_statistics", "社会统计", "Social Statistics"),
            ("statistical_survey", "统计调查", "Statistical Surveys"),
            ("enterprise_statistics", "企业统计", "Enterprise Statistics"),
            ("data_analysis", "统计分析与数据处理", "Statistical Analysis and Data Processing"),
        ],
    },
    # 20. 经济专业人员
    {
        "code": "economics",
        "name_zh": "经济专业人员",
        "name_en": "Economists",
        "titles": {
            "junior": "助理经济师",
            "intermediate": "经济师",
            "deputy_senior": "高级经济师",
            "senior": "正高级经济师",
        },
        "titles_en": {
            "junior": "Assistant Economist",
            "intermediate": "Economist",
            "deputy_senior": "Senior Economist",
            "senior": "Professor-level Senior Economist",
        },
        "specialties": [
            ("business_administration", "工商管理", "Business Administration"),
            ("agricultural_economics", "农业经济", "Agricultural Economics"),
            ("finance_taxation", "财政税收", "Public Finance and Taxation"),
            ("banking_finance", "金融", "Finance"),
            ("insurance", "保险", "Insurance"),
            ("transport_economics", "运输经济", "Transport Economics"),
            ("human_resources", "人力资源管理", "Human Resources Management"),
            ("tourism_economics", "旅游经济", "Tourism Economics"),
            ("construction_real_estate", "建筑与房地产经济", "Construction and Real Estate Economics"),
            ("intellectual_property", "知识产权", "Intellectual Property"),
        ],
    },
    # 21. 会计人员
    {
        "code": "accounting",
        "name_zh": "会计人员",
        "name_en": "Accountants",
        "titles": {
            "junior": "助理会计师",
            "intermediate": "会计师",
            "deputy_senior": "高级会计师",
            "senior": "正高级会计师",
        },
        "titles_en": {
            "junior": "Assistant Accountant",
            "intermediate": "Accountant",
            "deputy_senior": "Senior Accountant",
            "senior": "Professor-level Senior Accountant",
        },
        "specialties": [
            ("financial_accounting", "财务会计", "Financial Accounting"),
            ("management_accounting", "管理会计", "Management Accounting"),
            ("financial_management", "财务管理", "Financial Management"),
            ("government_accounting", "政府与非营利组织会计", "Government and Non-profit Accounting"),
            ("internal_control", "内部控制", "Internal Control"),
        ],
    },
    # 22. 审计专业人员
    {
        "code": "audit",
        "name_zh": "审计专业人员",
        "name_en": "Auditors",
        "titles": {
            "junior": "助理审计师",
            "intermediate": "审计师",
            "deputy_senior": "高级审计师",
            "senior": "正高级审计师",
        },
        "titles_en": {
            "junior": "Assistant Auditor",
            "intermediate": "Auditor",
            "deputy_senior": "Senior Auditor",
            "senior": "Professor-level Senior Auditor",
        },
        "specialties": [
            ("government_audit", "国家审计", "Government Audit"),
            ("internal_audit", "内部审计", "Internal Audit"),
            ("independent_audit", "社会审计", "Independent (Public-practice) Audit"),
            ("financial_audit", "财政财务收支审计", "Financial Revenue and Expenditure Audit"),
            ("economic_responsibility_audit", "经济责任审计", "Economic Responsibility Audit"),
            ("it_audit", "信息系统审计", "Information Systems Audit"),
        ],
    },
    # 23. 律师
    {
        "code": "lawyer",
        "name_zh": "律师",
        "name_en": "Lawyers",
        "titles": {
            "junior": "四级律师",
            "intermediate": "三级律师",
            "deputy_senior": "二级律师",
            "senior": "一级律师",
        },
        "titles_en": {
            "junior": "Lawyer, Grade 4",
            "intermediate": "Lawyer, Grade 3",
            "deputy_senior": "Lawyer, Grade 2",
            "senior": "Lawyer, Grade 1",
        },
        "specialties": [
            ("civil_commercial", "民商事", "Civil and Commercial"),
            ("criminal", "刑事", "Criminal"),
            ("administrative", "行政", "Administrative"),
            ("corporate", "公司与金融", "Corporate and Finance"),
            ("intellectual_property", "知识产权", "Intellectual Property"),
            ("foreign_related", "涉外法律事务", "Foreign-related Legal Affairs"),
        ],
    },
    # 24. 船舶专业人员 (names per GB/T 8561 驾驶 track; 正高级 added by the 2016 reform)
    {
        "code": "shipping",
        "name_zh": "船舶专业人员",
        "name_en": "Ship Officers",
        "titles": {
            "assistant_junior": "三副",
            "junior": "二副",
            "intermediate": "船长、大副",
            "deputy_senior": "高级船长",
            "senior": "正高级船长",
        },
        "titles_en": {
            "assistant_junior": "Third Officer",
            "junior": "Second Officer",
            "intermediate": "Captain / Chief Officer",
            "deputy_senior": "Senior Captain",
            "senior": "Professor-level Senior Captain",
        },
        "specialties": [
            ("deck", "驾驶", "Deck (Navigation)"),
            ("engine", "轮机（三管轮—高级轮机长）", "Marine Engineering (Engineer Officer titles)"),
            ("electro_technical", "电子电气（电机）", "Electro-technical"),
            ("radio", "通信（报务）", "Radio Communications"),
            ("pilotage", "引航", "Pilotage"),
        ],
    },
    # 25. 民用航空飞行技术人员 (names per GB/T 8561 驾驶 track; no 正高级 name verified)
    {
        "code": "civil_aviation_flight",
        "name_zh": "民用航空飞行技术人员",
        "name_en": "Civil Aviation Flight Crew",
        "titles": {
            "assistant_junior": "四级飞行员",
            "junior": "三级飞行员",
            "intermediate": "二级飞行员",
            "deputy_senior": "一级飞行员",
        },
        "titles_en": {
            "assistant_junior": "Pilot, Grade 4",
            "junior": "Pilot, Grade 3",
            "intermediate": "Pilot, Grade 2",
            "deputy_senior": "Pilot, Grade 1",
        },
        "specialties": [
            ("pilot", "驾驶", "Piloting"),
            ("navigator", "领航", "Navigation"),
            ("flight_radio", "飞行通信", "Flight Radio Operation"),
            ("flight_engineer", "飞行机械", "Flight Engineering"),
        ],
    },
    # 26. 实验技术人才
    {
        "code": "laboratory",
        "name_zh": "实验技术人才",
        "name_en": "Laboratory Technicians",
        "titles": {
            "assistant_junior": "实验员",
            "junior": "助理实验师",
            "intermediate": "实验师",
            "deputy_senior": "高级实验师",
            "senior": "正高级实验师",
        },
        "titles_en": {
            "assistant_junior": "Laboratory Assistant",
            "junior": "Assistant Experimentalist",
            "intermediate": "Experimentalist",
            "deputy_senior": "Senior Experimentalist",
            "senior": "Professor-level Senior Experimentalist",
        },
        "specialties": [
            ("physics_chemistry", "理化实验", "Physics and Chemistry Laboratory"),
            ("biomedical", "生物医学实验", "Biomedical Laboratory"),
            ("engineering_testing", "工程检测实验", "Engineering Testing Laboratory"),
            ("computing", "计算机与信息实验", "Computing and Information Laboratory"),
            ("agricultural", "农业实验", "Agricultural Laboratory"),
            ("instrument_management", "仪器设备管理", "Instrument and Equipment Management"),
        ],
    },
    # 27. 中小学教师
    {
        "code": "school_teachers",
        "name_zh": "中小学教师",
        "name_en": "Primary and Secondary School Teachers",
        "titles": {
            "assistant_junior": "三级教师",
            "junior": "二级教师",
            "intermediate": "一级教师",
            "deputy_senior": "高级教师",
            "senior": "正高级教师",
        },
        "titles_en": {
            "assistant_junior": "Third-grade Teacher",
            "junior": "Second-grade Teacher",
            "intermediate": "First-grade Teacher",
            "deputy_senior": "Senior Teacher",
            "senior": "Professor-level Senior Teacher",
        },
        "specialties": [
            ("primary", "小学", "Primary School"),
            ("junior_secondary", "初级中学", "Junior Secondary School"),
            ("senior_secondary", "高级中学", "Senior Secondary School"),
            ("kindergarten", "幼儿园", "Kindergarten"),
            ("special_education", "特殊教育", "Special Education"),
        ],
    },
]

QUALIFICATION_CORRESPONDENCE: list[dict] = [
    {
        "code": "constructor_first_class",
        "name_zh": "一级建造师",
        "name_en": "First-class Constructor",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "constructor_second_class",
        "name_zh": "二级建造师",
        "name_en": "Second-class Constructor",
        "series": "engineering",
        "level": "junior",
    },
    {
        "code": "structural_engineer_first_class",
        "name_zh": "一级注册结构工程师",
        "name_en": "First-class Registered Structural Engineer",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "structural_engineer_second_class",
        "name_zh": "二级注册结构工程师",
        "name_en": "Second-class Registered Structural Engineer",
        "series": "engineering",
        "level": "junior",
    },
    {
        "code": "architect_first_class",
        "name_zh": "一级注册建筑师",
        "name_en": "First-class Registered Architect",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "architect_second_class",
        "name_zh": "二级注册建筑师",
        "name_en": "Second-class Registered Architect",
        "series": "engineering",
        "level": "junior",
    },
    {
        "code": "supervision_engineer",
        "name_zh": "监理工程师（注册监理工程师）",
        "name_en": "Registered Supervision Engineer",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "cost_engineer_first_class",
        "name_zh": "一级造价工程师",
        "name_en": "First-class Cost Engineer",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "cost_engineer_second_class",
        "name_zh": "二级造价工程师",
        "name_en": "Second-class Cost Engineer",
        "series": "engineering",
        "level": "junior",
    },
    {
        "code": "safety_engineer_intermediate",
        "name_zh": "中级注册安全工程师",
        "name_en": "Intermediate Registered Safety Engineer",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "fire_engineer_first_class",
        "name_zh": "一级注册消防工程师",
        "name_en": "First-class Registered Fire Protection Engineer",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "urban_rural_planner",
        "name_zh": "注册城乡规划师",
        "name_en": "Registered Urban-Rural Planner",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "surveyor_registered",
        "name_zh": "注册测绘师",
        "name_en": "Registered Surveyor",
        "series": "engineering",
        "level": "intermediate",
    },
    {
        "code": "certified_public_accountant",
        "name_zh": "注册会计师",
        "name_en": "Certified Public Accountant",
        "series": "accounting",
        "level": "intermediate",
    },
]
