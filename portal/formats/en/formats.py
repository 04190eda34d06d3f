# As in Japanese (portal/formats/ja), then the American forms Django's en locale accepts.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%m/%d/%Y", "%m/%d/%y"]
