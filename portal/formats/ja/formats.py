# Dates typed as staff write them (2026/12/10, 2026年12月10日) as well as ISO 2026-12-10 (the browser's date picker
# sends ISO; the admin's text fields take what is typed). Django's ja locale defines no input formats of its own.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]
