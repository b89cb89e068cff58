"""Write gbt2260_regions_en.csv (code, name_en) from gbt2260_regions.csv. Run offline only.

The portal never runs this: the CSV it writes is committed and read by the migrations.
It needs pypinyin, which is not a project dependency; use a throwaway virtualenv:

    python3 -m venv /tmp/pinyin && /tmp/pinyin/bin/pip install pypinyin
    /tmp/pinyin/bin/python merchants/data/make_regions_en.py

The rule (merchants/models/regions.py repeats it): provinces by their standard English
names; a city or county is the pinyin of its name without the administrative suffix, one
word with the first letter capital (apostrophe before a syllable starting a/o/e: Xi'an).
市 is dropped (Zhaoqing, Sihui); the other suffixes become a word: 区 District,
县 County, 旗 Banner, 地区 Prefecture, 盟 League, 自治州/县/旗 Autonomous
Prefecture/County/Banner after the peoples' English names, 新区 New Area, 林区
Forestry District, 矿区 Mining District, 特区 Special District. OVERRIDES fixes names
pypinyin reads wrongly and a few cities known abroad by another spelling.
"""

import csv
import re
from pathlib import Path

from pypinyin import Style, lazy_pinyin

HERE = Path(__file__).resolve().parent

PROVINCES = {
    "北京市": "Beijing",
    "天津市": "Tianjin",
    "河北省": "Hebei",
    "山西省": "Shanxi",
    "内蒙古自治区": "Inner Mongolia",
    "辽宁省": "Liaoning",
    "吉林省": "Jilin",
    "黑龙江省": "Heilongjiang",
    "上海市": "Shanghai",
    "江苏省": "Jiangsu",
    "浙江省": "Zhejiang",
    "安徽省": "Anhui",
    "福建省": "Fujian",
    "江西省": "Jiangxi",
    "山东省": "Shandong",
    "河南省": "Henan",
    "湖北省": "Hubei",
    "湖南省": "Hunan",
    "广东省": "Guangdong",
    "广西壮族自治区": "Guangxi",
    "海南省": "Hainan",
    "重庆市": "Chongqing",
    "四川省": "Sichuan",
    "贵州省": "Guizhou",
    "云南省": "Yunnan",
    "西藏自治区": "Tibet",
    "陕西省": "Shaanxi",
    "甘肃省": "Gansu",
    "青海省": "Qinghai",
    "宁夏回族自治区": "Ningxia",
    "新疆维吾尔自治区": "Xinjiang",
    "台湾省": "Taiwan",
    "香港特别行政区": "Hong Kong",
    "澳门特别行政区": "Macao",
}

# Grouping rows (merchants.models.regions.PLACEHOLDER_CITY_NAMES) and odd names.
WHOLE_NAMES = {
    "市辖区": "City districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level divisions under the province",
    "自治区直辖县级行政区划": "County-level divisions under the region",
    "中沙群岛的岛礁及其海域": "Zhongsha Islands",
    "南沙群岛": "Nansha Islands",
    "西沙群岛": "Xisha Islands",
    "乌拉盖管理区管委会": "Wulagai Administrative Area",
    "保定白沟新城": "Baigou New Town",
    "大柴旦行政委员会": "Dachaidan Administrative Committee",
}

# Place parts pypinyin reads wrongly, and cities known abroad by another spelling.
OVERRIDES = {
    "哈尔滨": "Harbin",
    "呼和浩特": "Hohhot",
    "乌鲁木齐": "Urumqi",
    "拉萨": "Lhasa",
    "六安": "Lu'an",
    "蚌埠": "Bengbu",
    "亳州": "Bozhou",
    "涡阳": "Guoyang",
    "歙": "She",
    "枞阳": "Zongyang",
    "铅山": "Yanshan",
    "单": "Shan",
    "东阿": "Dong'e",
    "大埔": "Dabu",
    "乐亭": "Laoting",
    "蔚": "Yu",
    "长子": "Zhangzi",
    "繁峙": "Fanshi",
    "洪洞": "Hongtong",
    "莎车": "Shache",
    "番禺": "Panyu",
    "丽水": "Lishui",
    "台州": "Taizhou",
    "盱眙": "Xuyi",
    "井陉": "Jingxing",
    "厦门": "Xiamen",
    "长沙": "Changsha",
    "长治": "Changzhi",
    "重庆": "Chongqing",
    "乐山": "Leshan",
    "乐清": "Yueqing",
    "秭归": "Zigui",
    "尉氏": "Weishi",
    "浚": "Xun",
    "荥阳": "Xingyang",
    "筠连": "Junlian",
    "会理": "Huili",
    "会东": "Huidong",
    "会泽": "Huize",
    "会同": "Huitong",
    "会昌": "Huichang",
    "会宁": "Huining",
    "曲阜": "Qufu",
    "阆中": "Langzhong",
    "黄陂": "Huangpi",
    "柞水": "Zhashui",
    "犍为": "Qianwei",
    "郫都": "Pidu",
    "监利": "Jianli",
    "汤阴": "Tangyin",
    "解放": "Jiefang",
    "都昌": "Duchang",
    "都安": "Du'an",
    "都匀": "Duyun",
    "大足": "Dazu",
    "朝阳": "Chaoyang",
    "南长": "Nanchang",
    "长安": "Chang'an",
    "长宁": "Changning",
    "长寿": "Changshou",
    "长清": "Changqing",
    "长丰": "Changfeng",
    "长兴": "Changxing",
    "长乐": "Changle",
    "长汀": "Changting",
    "长泰": "Changtai",
    "长垣": "Changyuan",
    "长岭": "Changling",
    "长海": "Changhai",
    "长白": "Changbai",
    "长春": "Changchun",
    "长阳": "Changyang",
    "长顺": "Changshun",
    "长武": "Changwu",
    "长葛": "Changge",
}

PEOPLES = {
    "蒙古族": "Mongol",
    "回族": "Hui",
    "藏族": "Tibetan",
    "维吾尔族": "Uyghur",
    "苗族": "Miao",
    "彝族": "Yi",
    "壮族": "Zhuang",
    "布依族": "Bouyei",
    "朝鲜族": "Korean",
    "满族": "Manchu",
    "侗族": "Dong",
    "瑶族": "Yao",
    "白族": "Bai",
    "土家族": "Tujia",
    "哈尼族": "Hani",
    "哈萨克族": "Kazakh",
    "傣族": "Dai",
    "黎族": "Li",
    "傈僳族": "Lisu",
    "佤族": "Va",
    "畲族": "She",
    "高山族": "Gaoshan",
    "拉祜族": "Lahu",
    "水族": "Sui",
    "东乡族": "Dongxiang",
    "纳西族": "Naxi",
    "景颇族": "Jingpo",
    "柯尔克孜族": "Kyrgyz",
    "土族": "Tu",
    "达斡尔族": "Daur",
    "仫佬族": "Mulao",
    "羌族": "Qiang",
    "布朗族": "Blang",
    "撒拉族": "Salar",
    "毛南族": "Maonan",
    "仡佬族": "Gelao",
    "锡伯族": "Xibe",
    "阿昌族": "Achang",
    "普米族": "Pumi",
    "塔吉克族": "Tajik",
    "怒族": "Nu",
    "乌孜别克族": "Uzbek",
    "俄罗斯族": "Russian",
    "鄂温克族": "Evenki",
    "德昂族": "De'ang",
    "保安族": "Bonan",
    "裕固族": "Yugur",
    "京族": "Gin",
    "塔塔尔族": "Tatar",
    "独龙族": "Derung",
    "鄂伦春族": "Oroqen",
    "赫哲族": "Hezhen",
    "门巴族": "Monba",
    "珞巴族": "Lhoba",
    "基诺族": "Jino",
    "各族": "",
    # Xinjiang's prefectures name the people without 族.
    "蒙古": "Mongol",
    "哈萨克": "Kazakh",
    "柯尔克孜": "Kyrgyz",
}

# Longest first, so 自治县 wins over 县 and 林区 over 区.
SUFFIXES = [
    ("自治县", "Autonomous County"),
    ("自治州", "Autonomous Prefecture"),
    ("自治旗", "Autonomous Banner"),
    ("林区", "Forestry District"),
    ("矿区", "Mining District"),
    ("新区", "New Area"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("市", ""),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
]


def pinyin_word(chinese: str) -> str:
    if chinese in OVERRIDES:
        return OVERRIDES[chinese]
    syllables = lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True)
    # 都 in a place name is du (Chengdu, Changdu), never dou.
    syllables = ["du" if char == "都" else s for char, s in zip(chinese, syllables, strict=True)]
    word = syllables[0]
    for syllable in syllables[1:]:
        word += ("'" if syllable[:1] in "aoe" else "") + syllable
    return word.capitalize()


def english_name(name: str, level: str) -> str:
    if level == "province":
        return PROVINCES[name]
    if name in WHOLE_NAMES:
        return WHOLE_NAMES[name]
    place, english = next(
        (name[: -len(suffix)], word)
        for suffix, word in SUFFIXES
        if name.endswith(suffix) and len(name) > len(suffix)
    )
    peoples = []
    if english.startswith("Autonomous"):
        while True:
            for chinese in sorted(PEOPLES, key=len, reverse=True):
                if place.endswith(chinese) and len(place) > len(chinese):
                    peoples.insert(0, PEOPLES[chinese])
                    place = place[: -len(chinese)]
                    break
            else:
                break
    words = [pinyin_word(place), *(p for p in peoples if p)]
    if english:
        words.append(english)
    return " ".join(words)


def main() -> None:
    with (HERE / "gbt2260_regions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (HERE / "gbt2260_regions_en.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name_en"])
        for row in rows:
            english = english_name(row["name"], row["level"])
            assert re.fullmatch(r"[A-Za-zü' -]+", english), (row, english)
            writer.writerow([row["code"], english])


if __name__ == "__main__":
    main()
