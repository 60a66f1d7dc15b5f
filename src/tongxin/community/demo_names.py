"""Names for the demo town's residents: surnames, given names by generation, and their pinyin.

Plain data and two small functions, no Django import. The surname weights follow the 2020
census shares (per ten thousand) with a Zhejiang lean (陈, 林, 叶, 金, 应 are commoner in Taizhou
than nationally). Given names follow the fashions of the decade a person was born in, so a
villager born in 1948 is called 秀英 or 建国 and one born in 2001 is called 欣怡 or 浩然.
"""

from __future__ import annotations

# Surname -> weight. Compound surnames are rare (about 1 in 1,000); they are weighted up
# so that a town of 300 usually shows two or three.
SURNAMES: dict[str, int] = {
    "王": 710, "李": 700, "张": 640, "刘": 530, "陈": 620, "杨": 310, "赵": 230, "黄": 220,
    "周": 190, "吴": 170, "徐": 150, "孙": 150, "胡": 130, "朱": 120, "高": 120, "林": 160,
    "何": 120, "郭": 120, "马": 100, "罗": 90, "梁": 80, "宋": 70, "郑": 80, "谢": 60,
    "韩": 60, "唐": 60, "冯": 60, "叶": 80, "金": 60, "蒋": 50, "潘": 50, "应": 40,
    "许": 50, "沈": 40, "卢": 40, "方": 40, "丁": 40, "杜": 40, "彭": 50, "曹": 50,
    "袁": 50, "邓": 50, "董": 50, "程": 40,
    "欧阳": 30, "上官": 10, "司马": 10, "诸葛": 10,
}

# Given names by generation and gender: "older" born before 1970, "middle" 1970-1989,
# "younger" 1990 or later. One- and two-character given names, as on any village roll.
GIVEN_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("older", "male"): (
        "建国", "国强", "国庆", "建华", "志强", "德华", "卫东", "红兵", "建军", "德明",
        "永福", "金生", "福生", "根生", "水根", "宝林", "文华", "振华", "明德", "世明",
        "茂林", "国平", "建平", "立新", "跃进", "胜利", "荣华", "洪", "军", "斌", "勇", "伟",
    ),
    ("older", "female"): (
        "秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "翠花", "素珍", "美华",
        "月娥", "彩凤", "金花", "菊香", "爱华", "红梅", "丽华", "秀珍", "巧云", "小妹",
        "芳", "英", "兰", "珍", "梅", "霞",
    ),
    ("middle", "male"): (
        "海涛", "建伟", "立军", "晓东", "志刚", "永刚", "伟东", "海波", "俊杰", "文斌",
        "剑锋", "国栋", "新华", "东升", "志明", "鹏飞", "晓峰", "明辉", "军", "涛",
        "磊", "鹏", "斌", "杰", "超", "刚", "辉", "锋",
    ),
    ("middle", "female"): (
        "丽娟", "晓燕", "海燕", "春燕", "丽萍", "雪梅", "晓红", "美玲", "慧敏", "晓丽",
        "红霞", "彩霞", "玉梅", "秋菊", "静", "婷", "敏", "燕", "娟", "丽", "艳", "莉",
        "琳", "佳",
    ),
    ("younger", "male"): (
        "浩然", "子豪", "宇轩", "俊宇", "浩宇", "天宇", "博文", "嘉豪", "一鸣", "晨阳",
        "文博", "子健", "明轩", "思远", "家乐", "振宇", "皓", "宇", "帆", "凯", "昊",
        "鑫", "磊", "杰",
    ),
    ("younger", "female"): (
        "欣怡", "梓涵", "雨涵", "诗涵", "思琪", "佳怡", "子萱", "婧怡", "雨欣", "梦瑶",
        "晓雯", "佳琪", "心怡", "可馨", "若曦", "雅琪", "悦", "琪", "萱", "妍", "婷",
        "颖", "蕾",
    ),
}

# The reading of every character above, as it is read in a name (乐 is "le" in 家乐).
PINYIN: dict[str, str] = {
    # Surnames.
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang",
    "赵": "zhao", "黄": "huang", "周": "zhou", "吴": "wu", "徐": "xu", "孙": "sun",
    "胡": "hu", "朱": "zhu", "高": "gao", "林": "lin", "何": "he", "郭": "guo", "马": "ma",
    "罗": "luo", "梁": "liang", "宋": "song", "郑": "zheng", "谢": "xie", "韩": "han",
    "唐": "tang", "冯": "feng", "叶": "ye", "金": "jin", "蒋": "jiang", "潘": "pan",
    "应": "ying", "许": "xu", "沈": "shen", "卢": "lu", "方": "fang", "丁": "ding",
    "杜": "du", "彭": "peng", "曹": "cao", "袁": "yuan", "邓": "deng", "董": "dong",
    "程": "cheng", "欧": "ou", "阳": "yang", "上": "shang", "官": "guan", "司": "si",
    "诸": "zhu", "葛": "ge",
    # Given names.
    "建": "jian", "国": "guo", "强": "qiang", "庆": "qing", "华": "hua", "志": "zhi",
    "德": "de", "卫": "wei", "东": "dong", "红": "hong", "兵": "bing", "军": "jun",
    "明": "ming", "永": "yong", "福": "fu", "生": "sheng", "根": "gen", "水": "shui",
    "宝": "bao", "文": "wen", "振": "zhen", "世": "shi", "茂": "mao", "平": "ping",
    "立": "li", "新": "xin", "跃": "yue", "进": "jin", "胜": "sheng", "利": "li",
    "荣": "rong", "洪": "hong", "斌": "bin", "勇": "yong", "伟": "wei", "秀": "xiu",
    "英": "ying", "桂": "gui", "兰": "lan", "玉": "yu", "淑": "shu", "珍": "zhen",
    "凤": "feng", "翠": "cui", "花": "hua", "素": "su", "美": "mei", "月": "yue",
    "娥": "e", "彩": "cai", "菊": "ju", "香": "xiang", "爱": "ai", "梅": "mei", "丽": "li",
    "巧": "qiao", "云": "yun", "小": "xiao", "妹": "mei", "芳": "fang", "霞": "xia",
    "海": "hai", "涛": "tao", "晓": "xiao", "刚": "gang", "波": "bo", "俊": "jun",
    "杰": "jie", "剑": "jian", "锋": "feng", "栋": "dong", "升": "sheng", "鹏": "peng",
    "飞": "fei", "峰": "feng", "辉": "hui", "磊": "lei", "超": "chao", "娟": "juan",
    "燕": "yan", "春": "chun", "萍": "ping", "雪": "xue", "玲": "ling", "静": "jing",
    "婷": "ting", "敏": "min", "艳": "yan", "慧": "hui", "秋": "qiu", "莉": "li",
    "琳": "lin", "佳": "jia", "浩": "hao", "然": "ran", "子": "zi", "豪": "hao",
    "宇": "yu", "轩": "xuan", "天": "tian", "博": "bo", "嘉": "jia", "一": "yi",
    "鸣": "ming", "晨": "chen", "健": "jian", "思": "si", "远": "yuan", "家": "jia",
    "乐": "le", "皓": "hao", "帆": "fan", "凯": "kai", "昊": "hao", "鑫": "xin",
    "欣": "xin", "怡": "yi", "梓": "zi", "涵": "han", "雨": "yu", "诗": "shi", "琪": "qi",
    "萱": "xuan", "婧": "jing", "梦": "meng", "瑶": "yao", "雯": "wen", "心": "xin",
    "可": "ke", "馨": "xin", "若": "ruo", "曦": "xi", "雅": "ya", "悦": "yue", "妍": "yan",
    "颖": "ying", "蕾": "lei",
}

# Mobile number blocks of the three carriers (China Mobile, Unicom, Telecom): 13x, 15x, 18x.
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
)


def pinyin_of(text: str) -> str:
    """Toneless pinyin of the characters, run together; an apostrophe keeps syllables apart (Yue'e)."""
    syllables = [PINYIN[char] for char in text]
    joined = syllables[0]
    for syllable in syllables[1:]:
        joined += ("'" if syllable[0] in "aoe" else "") + syllable
    return joined


def latin_name(surname: str, given_name: str) -> str:
    """The name as English text writes it: surname first, each part capitalised ("Ouyang Lihua")."""
    return f"{pinyin_of(surname).capitalize()} {pinyin_of(given_name).capitalize()}"


def generation_of(birth_year: int) -> str:
    if birth_year < 1970:
        return "older"
    if birth_year < 1990:
        return "middle"
    return "younger"
