"""Demo data: a plausible shop to try the counter on, seeded only into an empty store.

What it builds (deterministic for a given seed; expiry dates are relative to the day it runs):

* a store STORE1 (terminal T01) and a warehouse WH1 (terminal W01), with bins;
* users with fixed codes and PINs (see DEMO_LOGINS below, also printed by `counter demo`);
* about 2,000 products named in English and Simplified Chinese, in categories, priced in EUR with
  German VAT rates (7 % food, 19 % the rest):
  - packaged goods carry an EAN-13 from a real-looking GS1 country range (40-44 Germany, 30-37
    France, 80-83 Italy, 84 Spain, 87 Netherlands, 54 Belgium, 50 UK, 57 Denmark, 73 Sweden,
    690-699 China, 45/49 Japan, 880 Korea, 885 Thailand), never the 20-29 in-store range;
  - drinks and some groceries also have a case barcode: a GTIN-14 (indicator digit 1) standing
    for 6, 12, 20 or 24 units (`Barcode.pack_qty`);
  - loose fruit, vegetables, cheese and deli goods are weight-priced (kg, 3 decimals). They have
    no EAN: the shop's scale prints variable-measure labels ``21 IIIII WWWWW C`` (prefix 21,
    5-digit item code, weight in grams, EAN check digit), read by `SCALE_RULE`. The product is
    found with ``find_by_code("21" + item code)``, stored as a 7-character barcode;
  - dairy, pharmacy and baby food are lot- and expiry-tracked;
* opening stock booked through `receive_goods` (so ledger, levels and outbox agree), two expected
  deliveries for the store and one for the warehouse, and a few customers.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from . import clock
from .catalog import Barcode, Price, Product
from .context import Actor
from .db import db
from .ledger import StockEvent
from .ops.receiving import ReceivedLine, receive_goods
from .people import CLERK, MANAGER, SUPERVISOR, Customer, create_user
from .places import STORE, WAREHOUSE, Bin, Location
from .scan import VariableMeasureRule
from .stock_docs import Delivery, DeliveryLine
from .store import ensure_terminal

# Fixed demo logins (also in the README): user code, PIN, role, name.
CLERK_CODE, CLERK_PIN = "1001", "1234"
SUPERVISOR_CODE, SUPERVISOR_PIN = "2001", "2345"
MANAGER_CODE, MANAGER_PIN = "3001", "3456"
DEMO_LOGINS: tuple[tuple[str, str, str, str], ...] = (
    (CLERK_CODE, CLERK_PIN, CLERK, "Lena Fischer"),
    (SUPERVISOR_CODE, SUPERVISOR_PIN, SUPERVISOR, "Wang Jun"),
    (MANAGER_CODE, MANAGER_PIN, MANAGER, "Marie Dubois"),
)

STORE_CODE, STORE_NAME, STORE_TERMINAL = "STORE1", "Demo Market Mitte", "T01"
WAREHOUSE_CODE, WAREHOUSE_NAME, WAREHOUSE_TERMINAL = "WH1", "Demo Central Warehouse", "W01"
STORE_NAME_ZH, WAREHOUSE_NAME_ZH = "演示超市 米特店", "演示中央仓库"
CURRENCY = "EUR"
DEFAULT_PRODUCTS = 2000
DEFAULT_SEED = 20240501

# The scale labels of weight-priced goods: 21 + 5-digit item code + weight in grams + EAN check.
SCALE_PREFIX = "21"
SCALE_RULE = VariableMeasureRule(prefixes=(SCALE_PREFIX,), item_digits=5, value_digits=5,
                                 value_kind="weight", decimals=3)

_CHUNK = 200  # rows per INSERT: well under SQLite's bound-variable limit


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of a GTIN body (weights 3,1,3,... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def scale_label(item_code: str, weight_kg: Decimal) -> str:
    """The 13-digit label a shop scale prints for `weight_kg` of the item."""
    grams = int((Decimal(weight_kg) * 1000).to_integral_value())
    if not (len(item_code) == 5 and item_code.isdigit() and 0 < grams < 100000):
        raise ValueError("item code is 5 digits and the weight below 100 kg")
    body = f"{SCALE_PREFIX}{item_code}{grams:05d}"
    return body + gs1_check_digit(body)


def scale_lookup_code(item_code: str) -> str:
    """The barcode row that names a weight-priced product behind a scale label's item code."""
    return SCALE_PREFIX + item_code


# --- word lists ----------------------------------------------------------------------------------
# A kind: (English, Chinese, typical price in cents, sizes, variants, flags).
#   sizes: "label:price%:pack|..." (price% of the typical price; pack = units in the case barcode);
#   variants: "English/中文|..." ("" = the plain kind);
#   flags: "lotN" lot + expiry, N days shelf life; "packN" case of N; "b:0,2" only these brands;
#          "kg" weight-priced (its "brands" are then the category's origins, by index).
# A brand: (English, Chinese, 7-digit GS1 company prefix, price %).

@dataclass(frozen=True)
class _Category:
    code: str
    en: str
    zh: str
    tax: int
    aisle: str
    brands: tuple
    kinds: tuple
    flags: str = ""


_ORIGINS = (("Germany", "德国"), ("Netherlands", "荷兰"), ("Spain", "西班牙"), ("Italy", "意大利"),
            ("France", "法国"), ("Switzerland", "瑞士"), ("New Zealand", "新西兰"), ("Ecuador", "厄瓜多尔"),
            ("Colombia", "哥伦比亚"), ("South Africa", "南非"), ("Morocco", "摩洛哥"), ("China", "中国"),
            ("Peru", "秘鲁"), ("Brazil", "巴西"), ("Chile", "智利"), ("Turkey", "土耳其"), ("Poland", "波兰"),
            ("Belgium", "比利时"), ("England", "英国"), ("Norway", "挪威"), ("Egypt", "埃及"), ("India", "印度"))
_O = {en: i for i, (en, _) in enumerate(_ORIGINS)}


def _origins(*names: str) -> str:
    return "kg b:" + ",".join(str(_O[n]) for n in names)


_CATEGORIES: tuple[_Category, ...] = (
    _Category("DAI", "Dairy & Eggs", "乳制品和蛋", 7, "A", (
        ("Alpenhof", "阿尔卑霍夫", "4012345", 110), ("Weidegold", "牧场金", "4031127", 100),
        ("Nordmilch Farm", "北方牧场", "4056489", 92), ("Kaasboer", "卡斯博尔", "8712566", 105),
        ("Green Valley", "绿谷", "5412345", 118), ("Grassland", "草原牧歌", "6923456", 98),
    ), (
        ("Whole Milk", "全脂牛奶", 109, "1L:100:12|500ml:62", "|Organic/有机", "lot12"),
        ("Semi-skimmed Milk", "半脱脂牛奶", 99, "1L:100:12|500ml:60", "|Organic/有机", "lot12"),
        ("Lactose-free Milk", "无乳糖牛奶", 149, "1L:100:12", "", "lot14"),
        ("Oat Milk", "燕麦奶", 179, "1L:100:6", "|Barista/咖啡师|Chocolate/巧克力", "lot90"),
        ("Soy Milk", "豆奶", 149, "1L:100:6", "|Unsweetened/无糖|Vanilla/香草", "lot90"),
        ("Almond Milk", "杏仁奶", 219, "1L:100:6", "|Unsweetened/无糖", "lot90"),
        ("Yoghurt", "酸奶", 55, "150g:100|4x125g:240",
         "Strawberry/草莓|Peach/桃子|Cherry/樱桃|Blueberry/蓝莓|Vanilla/香草|Mango/芒果|Natural/原味", "lot21"),
        ("Greek Yoghurt", "希腊酸奶", 189, "500g:100|1kg:180", "|Honey/蜂蜜", "lot21"),
        ("Skyr", "冰岛酸奶", 159, "450g", "Natural/原味|Blueberry/蓝莓|Vanilla/香草", "lot28"),
        ("Kefir", "开菲尔酸奶", 119, "500ml", "", "lot21"),
        ("Butter", "黄油", 229, "250g", "Salted/咸味|Unsalted/无盐|Spreadable/软质", "lot60"),
        ("Whipping Cream", "淡奶油", 129, "200ml:100|500ml:220", "", "lot21"),
        ("Sour Cream", "酸奶油", 79, "200g", "", "lot21"),
        ("Quark", "夸克奶酪", 89, "250g:100|500g:170", "Low-fat/低脂|Full-fat/全脂", "lot21"),
        ("Free-range Eggs", "散养鸡蛋", 279, "6 eggs:100|10 eggs:160", "|Organic/有机", "lot28"),
        ("Mozzarella", "马苏里拉奶酪", 99, "125g", "|Mini/迷你", "lot21"),
        ("Sliced Gouda", "高达奶酪片", 219, "150g:100|400g:230", "", "lot45"),
        ("Grated Cheese", "奶酪碎", 199, "200g", "|Pizza/披萨", "lot45"),
        ("Cream Cheese", "奶油奶酪", 149, "200g", "Plain/原味|Herb/香草|Chive/香葱", "lot45"),
    )),
    _Category("CHE", "Cheese Counter", "奶酪柜台", 7, "B", _ORIGINS, (
        ("Gouda", "高达奶酪", 1290, "", "Young/嫩|Mature/中熟|Aged/陈年", _origins("Netherlands")),
        ("Emmental", "埃曼塔奶酪", 1590, "", "|Mild/温和", _origins("Switzerland", "Germany")),
        ("Gruyère", "格吕耶尔奶酪", 2490, "", "|Reserve/珍藏", _origins("Switzerland")),
        ("Comté", "孔泰奶酪", 2690, "", "|18-month/18个月", _origins("France")),
        ("Brie", "布里奶酪", 1490, "", "|Truffle/松露", _origins("France")),
        ("Parmigiano Reggiano", "帕玛森干酪", 2990, "", "24-month/24个月|36-month/36个月", _origins("Italy")),
        ("Manchego", "曼彻格奶酪", 2290, "", "Semi-cured/半熟|Cured/熟成", _origins("Spain")),
        ("Cheddar", "切达奶酪", 1690, "", "Mild/温和|Mature/成熟|Extra Mature/特熟", _origins("England")),
        ("Tilsiter", "提尔西特奶酪", 1390, "", "", _origins("Germany")),
        ("Appenzeller", "阿彭策尔奶酪", 2390, "", "", _origins("Switzerland")),
        ("Pecorino", "佩科里诺奶酪", 2590, "", "Romano/罗马|Toscano/托斯卡纳", _origins("Italy")),
    )),
    _Category("DEL", "Deli & Meat", "熟食肉类", 7, "B", _ORIGINS, (
        ("Cooked Ham", "熟火腿", 1690, "", "|Smoked/烟熏", _origins("Germany", "Italy")),
        ("Ham", "火腿", 2490, "", "Black Forest/黑森林", _origins("Germany")),
        ("Salami", "萨拉米香肠", 2290, "", "Milano/米兰|Napoli/那不勒斯|Fennel/茴香", _origins("Italy")),
        ("Chorizo", "西班牙辣香肠", 1990, "", "|Picante/辣味", _origins("Spain")),
        ("Prosciutto", "意式生火腿", 3990, "", "Parma/帕尔马|San Daniele/圣达尼埃莱", _origins("Italy")),
        ("Roast Beef", "烤牛肉", 2990, "", "", _origins("Germany", "Poland")),
        ("Chicken Breast", "鸡胸肉", 1190, "", "|Free-range/散养", _origins("Germany", "France")),
        ("Pork Belly", "五花肉", 990, "", "", _origins("Germany", "Spain")),
        ("Minced Beef", "牛肉末", 1290, "", "|Organic/有机", _origins("Germany")),
        ("Salmon Fillet", "三文鱼排", 2490, "", "|Wild/野生", _origins("Norway")),
        ("Olives", "橄榄", 1490, "", "Green/绿|Kalamata/卡拉马塔", _origins("Spain", "Italy")),
    )),
    _Category("FRU", "Fruit & Vegetables", "果蔬", 7, "F", _ORIGINS, (
        ("Apples", "苹果", 249, "", "Gala/嘎啦|Braeburn/布雷本|Granny Smith/青|Pink Lady/粉红佳人|Elstar/埃尔斯塔",
         _origins("Italy", "Germany", "New Zealand")),
        ("Pears", "梨", 279, "", "Conference/康弗伦斯|Williams/威廉斯", _origins("Belgium", "Netherlands")),
        ("Bananas", "香蕉", 179, "", "|Organic/有机", _origins("Ecuador", "Colombia")),
        ("Oranges", "橙子", 229, "", "Navel/脐|Valencia/瓦伦西亚", _origins("Spain", "South Africa")),
        ("Mandarins", "橘子", 299, "", "", _origins("Spain", "Morocco")),
        ("Lemons", "柠檬", 349, "", "|Organic/有机", _origins("Spain", "Italy")),
        ("Limes", "青柠", 499, "", "", _origins("Brazil")),
        ("Grapes", "葡萄", 449, "", "Red Seedless/红无籽|White Seedless/白无籽",
         _origins("Italy", "South Africa", "India")),
        ("Tomatoes", "西红柿", 329, "", "Vine/藤|Cherry/樱桃|Beef/牛排", _origins("Netherlands", "Spain", "Morocco")),
        ("Potatoes", "土豆", 129, "", "Waxy/蜡质|Floury/粉质", _origins("Germany", "Egypt")),
        ("Carrots", "胡萝卜", 119, "", "|Organic/有机", _origins("Germany", "Netherlands")),
        ("Onions", "洋葱", 149, "", "Yellow/黄|Red/红", _origins("Netherlands", "Spain")),
        ("Garlic", "大蒜", 799, "", "", _origins("Spain", "China")),
        ("Ginger", "生姜", 899, "", "", _origins("China", "Peru")),
        ("Peppers", "甜椒", 399, "", "Red/红|Yellow/黄|Green/绿", _origins("Spain", "Netherlands")),
        ("Courgettes", "西葫芦", 299, "", "", _origins("Spain", "Italy")),
        ("Mushrooms", "蘑菇", 599, "", "White/白|Chestnut/栗", _origins("Netherlands", "Poland")),
        ("Kiwis", "猕猴桃", 399, "", "|Gold/黄心", _origins("Italy", "New Zealand")),
        ("Plums", "李子", 349, "", "", _origins("Spain", "Chile")),
        ("Peaches", "桃子", 399, "", "|Flat/蟠", _origins("Spain", "Italy")),
        ("Cherries", "樱桃", 999, "", "", _origins("Turkey", "Chile")),
        ("Bok Choy", "小白菜", 349, "", "", _origins("Netherlands", "China")),
        ("Chinese Cabbage", "大白菜", 199, "", "", _origins("Germany", "Spain")),
        ("Aubergines", "茄子", 349, "", "", _origins("Spain", "Netherlands")),
        ("Sweet Potatoes", "红薯", 299, "", "", _origins("Egypt", "Spain")),
        ("Broccoli", "西兰花", 349, "", "", _origins("Spain", "Italy")),
        ("Leeks", "韭葱", 249, "", "", _origins("Germany", "Belgium")),
    )),
    _Category("VEG", "Packed Produce", "包装果蔬", 7, "F", (
        ("Frischgut", "鲜之谷", "4046123", 100), ("Tuinland", "花园之地", "8719345", 105),
        ("Huerta Sol", "阳光果园", "8437123", 95),
    ), (
        ("Cucumber", "黄瓜", 69, "", "|Mini/迷你", ""),
        ("Iceberg Lettuce", "冰山生菜", 99, "", "", ""),
        ("Avocados", "牛油果", 249, "2 pcs:100|4 pcs:180", "|Ready to Eat/即食", ""),
        ("Basil", "罗勒", 199, "1 pot", "", ""),
        ("Baby Spinach", "嫩菠菜", 179, "125g:100|250g:170", "", ""),
        ("Blueberries", "蓝莓", 249, "125g:100|250g:180", "", ""),
        ("Raspberries", "覆盆子", 279, "125g", "", ""),
        ("Mixed Salad", "混合沙拉", 149, "150g", "|Rocket/芝麻菜", ""),
        ("Pineapple", "菠萝", 199, "1 pcs", "", ""),
    )),
    _Category("BAK", "Bakery", "烘焙", 7, "C", (
        ("Backhaus Müller", "穆勒烘焙坊", "4008765", 105), ("Boulangerie Dupont", "杜邦面包房", "3256789", 115),
        ("Golden Wheat", "金麦", "6934567", 95), ("Harvest Mill", "丰收磨坊", "5012345", 100),
        ("Bakkerij de Vries", "德弗里斯面包房", "8714567", 105),
    ), (
        ("Bread", "面包", 349, "750g:100|500g:72", "Sourdough/酸|Rye/黑麦|Spelt/斯佩尔特小麦|Multigrain/多谷物", ""),
        ("Toast Bread", "吐司面包", 179, "500g:100|750g:140", "White/白|Wholemeal/全麦|Brioche/布里欧修", ""),
        ("Croissants", "牛角包", 199, "4 pcs:100|6 pcs:140", "Butter/黄油|Chocolate/巧克力", ""),
        ("Baguette", "法棍", 129, "250g", "|Wholegrain/全麦", ""),
        ("Bread Rolls", "小餐包", 149, "6 pcs:100|10 pcs:150", "|Seeded/杂粮", ""),
        ("Muffins", "松饼", 249, "4 pcs", "Blueberry/蓝莓|Chocolate/巧克力", ""),
        ("Wraps", "卷饼皮", 179, "8 pcs", "Wheat/小麦|Wholegrain/全麦", ""),
        ("Steamed Buns", "馒头", 249, "6 pcs", "|Red Bean/红豆", "b:2"),
        ("Crispbread", "脆面包", 189, "250g", "Rye/黑麦|Sesame/芝麻", "b:0,3"),
    )),
    _Category("PAN", "Pantry", "食品杂货", 7, "D", (
        ("Casa Bella", "贝拉之家", "8012345", 110), ("Maison Colin", "科林之家", "3012345", 115),
        ("Gutes Land", "好土地", "4049876", 90), ("Sol de Andalucía", "安达卢西亚阳光", "8412345", 100),
        ("Harvest Pantry", "丰收食品", "5012346", 100),
    ), (
        ("Spaghetti", "意大利面", 99, "500g:100:12|1kg:180", "|Wholewheat/全麦", ""),
        ("Penne", "笔管面", 99, "500g:100:12", "|Wholewheat/全麦", ""),
        ("Fusilli", "螺旋面", 99, "500g:100:12", "", ""),
        ("Farfalle", "蝴蝶面", 119, "500g:100:12", "", ""),
        ("Lasagne Sheets", "千层面皮", 149, "250g", "", ""),
        ("Basmati Rice", "印度香米", 249, "1kg:100|500g:55|5kg:420", "|Brown/糙", ""),
        ("Risotto Rice", "意大利烩饭米", 279, "1kg", "Arborio/阿伯里奥|Carnaroli/卡纳罗利", ""),
        ("Flour", "面粉", 79, "1kg:100|2.5kg:230", "Plain/普通|Wholemeal/全麦|Spelt/斯佩尔特", ""),
        ("Sugar", "糖", 99, "1kg", "White/白砂|Cane/蔗|Brown/红", ""),
        ("Sea Salt", "海盐", 89, "500g:100|1kg:160", "Fine/细|Coarse/粗", ""),
        ("Olive Oil", "橄榄油", 699, "500ml:60|750ml:100|1L:125", "Extra Virgin/特级初榨|", ""),
        ("Sunflower Oil", "葵花籽油", 249, "1L:100:12", "", ""),
        ("Balsamic Vinegar", "香醋", 299, "500ml", "", ""),
        ("Tomato Passata", "番茄泥", 119, "500g:100|700g:130", "|Organic/有机", ""),
        ("Chopped Tomatoes", "番茄块", 89, "400g:100:12", "|Organic/有机", ""),
        ("Chickpeas", "鹰嘴豆", 99, "400g:100:12", "", ""),
        ("Kidney Beans", "红腰豆", 99, "400g:100:12", "", ""),
        ("Lentils", "扁豆", 179, "500g", "Red/红|Green/绿", ""),
        ("Tuna Chunks", "金枪鱼块", 199, "160g:100|3x80g:150", "|In Olive Oil/橄榄油浸", ""),
        ("Honey", "蜂蜜", 499, "500g:100|250g:55", "Acacia/槐花|Wildflower/百花|Forest/森林", ""),
        ("Jam", "果酱", 249, "450g", "Strawberry/草莓|Apricot/杏|Raspberry/覆盆子|Cherry/樱桃", ""),
        ("Peanut Butter", "花生酱", 279, "350g", "Smooth/顺滑|Crunchy/颗粒", ""),
        ("Muesli", "什锦麦片", 299, "750g:100|500g:70", "Fruit/水果|Nut/坚果|Chocolate/巧克力", ""),
        ("Cornflakes", "玉米片", 229, "500g:100|375g:80", "", ""),
        ("Porridge Oats", "燕麦片", 129, "500g:100|1kg:170", "Rolled/大|Instant/即食", ""),
        ("Coffee Beans", "咖啡豆", 1199, "1kg:100|500g:55", "Espresso/意式浓缩|Crema/克丽玛|Decaf/低因", ""),
        ("Ground Coffee", "研磨咖啡", 549, "500g:100|250g:55", "Classic/经典|Intense/浓烈|Decaf/低因", ""),
        ("Coffee Pods", "咖啡胶囊", 349, "10 pods:100|30 pods:270", "Lungo/长萃|Ristretto/短萃|Espresso/意式浓缩", ""),
        ("Tea", "茶", 199, "20 bags:100|50 bags:220", "English Breakfast/英式早餐|Earl Grey/伯爵|Assam/阿萨姆", ""),
        ("Herbal Tea", "花草茶", 229, "20 bags", "Peppermint/薄荷|Chamomile/洋甘菊|Rooibos/南非博士|Fennel/茴香", ""),
        ("Ketchup", "番茄酱", 199, "500g:100|800g:150", "|Curry/咖喱", ""),
        ("Mayonnaise", "蛋黄酱", 179, "250ml:100|500ml:170", "|Light/轻盈", ""),
        ("Mustard", "芥末酱", 129, "200ml", "Medium/中辣|Dijon/第戎|Sweet/甜", ""),
        ("Pesto", "青酱", 249, "190g", "Genovese/热那亚|Rosso/红", ""),
    )),
    _Category("ASI", "Asian Foods", "亚洲食品", 7, "E", (
        ("Golden Dragon", "金龙", "6921234", 100), ("Lotus Garden", "莲园", "6948765", 95),
        ("Pearl River", "珠江", "6901234", 105), ("Sakura", "樱花", "4901234", 125),
        ("Siam Kitchen", "暹罗厨房", "8851234", 100), ("Seoul Table", "首尔餐桌", "8801234", 110),
    ), (
        ("Jasmine Rice", "茉莉香米", 299, "1kg:100|5kg:430", "", "b:1,2,4"),
        ("Soy Sauce", "酱油", 199, "500ml:100:12|150ml:45|1L:180", "Light/淡|Dark/老|Low-salt/减盐", "b:0,1,2,3"),
        ("Oyster Sauce", "蚝油", 249, "510g", "", "b:0,2"),
        ("Chili Oil", "辣椒油", 299, "210g", "|Crispy/香脆", "b:0,1"),
        ("Sesame Oil", "芝麻油", 349, "250ml", "|Toasted/焙炒", "b:0,2,3,5"),
        ("Rice Vinegar", "米醋", 199, "500ml", "", "b:0,1,3"),
        ("Hoisin Sauce", "海鲜酱", 229, "240g", "", "b:0,2"),
        ("Instant Noodles", "方便面", 79, "85g:100:24|5x85g:450",
         "Chicken/鸡肉|Beef/牛肉|Seafood/海鲜|Spicy/香辣|Kimchi/泡菜", "b:0,1,5"),
        ("Rice Noodles", "米粉", 199, "400g", "Thin/细|Wide/宽", "b:1,2,4"),
        ("Egg Noodles", "鸡蛋面", 179, "500g", "", "b:0,1,2"),
        ("Udon Noodles", "乌冬面", 249, "3x200g", "", "b:3"),
        ("Coconut Milk", "椰奶", 179, "400ml:100:12", "|Light/淡", "b:4"),
        ("Curry Paste", "咖喱酱", 229, "200g", "Red/红|Green/绿|Yellow/黄", "b:4"),
        ("Miso Paste", "味噌", 399, "300g", "White/白|Red/红", "b:3"),
        ("Nori Sheets", "海苔片", 299, "10 sheets:100|50 sheets:400", "", "b:3,5"),
        ("Kimchi", "泡菜", 349, "500g", "|Vegan/纯素", "b:5"),
        ("Tofu", "豆腐", 149, "400g", "Firm/老|Silken/嫩|Smoked/烟熏", "b:0,1,3"),
        ("Green Tea", "绿茶", 299, "20 bags:100|100g:150", "Sencha/煎茶|Jasmine/茉莉|Longjing/龙井", "b:0,1,3"),
        ("Oolong Tea", "乌龙茶", 599, "100g", "Tieguanyin/铁观音|Da Hong Pao/大红袍", "b:0,1,2"),
        ("Dried Shiitake", "干香菇", 599, "100g", "", "b:0,1,2"),
        ("Spring Roll Wrappers", "春卷皮", 199, "250g", "", "b:0,4"),
        ("Gochujang", "韩式辣酱", 399, "500g", "", "b:5"),
    )),
    _Category("SNA", "Snacks & Sweets", "零食糖果", 7, "G", (
        ("Knusperland", "脆乐园", "4019876", 100), ("Chocolaterie Royale", "皇家巧克力坊", "5401234", 130),
        ("Happy Panda", "快乐熊猫", "6912345", 95), ("Nordic Snacks", "北欧零食", "5701234", 105),
        ("Dolce Vita", "甜蜜生活", "8001234", 110), ("Alpine Treats", "阿尔卑斯甜点", "9012345", 115),
    ), (
        ("Potato Crisps", "薯片", 199, "150g:100|40g:40:24",
         "Salted/原味|Paprika/红椒|Sour Cream & Onion/酸奶油洋葱|Salt & Vinegar/盐醋|BBQ/烧烤", "b:0,2,3"),
        ("Tortilla Chips", "玉米片", 179, "200g", "Salted/原味|Chili/辣味|Cheese/奶酪", "b:0,3"),
        ("Salted Peanuts", "咸花生", 199, "200g:100|500g:220", "", "b:0,2,3"),
        ("Mixed Nuts", "混合坚果", 349, "200g", "Roasted/烤|Unsalted/无盐", "b:0,2,3"),
        ("Milk Chocolate", "牛奶巧克力", 129, "100g:100:20|300g:270", "|Hazelnut/榛子|Almond/杏仁|Caramel/焦糖",
         "b:1,4"),
        ("Dark Chocolate", "黑巧克力", 179, "100g:100:20", "70%/70%|85%/85%|Sea Salt/海盐|Orange/橙味", "b:1,4"),
        ("Butter Biscuits", "黄油饼干", 149, "200g", "|Chocolate-coated/巧克力涂层", "b:0,1,3"),
        ("Chocolate Cookies", "巧克力曲奇", 199, "200g", "|Double/双重", "b:0,1,4"),
        ("Gummy Bears", "小熊软糖", 119, "200g", "|Sour/酸味", "b:0,3"),
        ("Rice Crackers", "米饼", 179, "150g", "Seaweed/海苔|Sesame/芝麻|Sweet/甜", "b:2"),
        ("Pretzels", "椒盐卷饼", 129, "200g", "", "b:0"),
        ("Popcorn", "爆米花", 149, "90g", "Sweet/甜|Salted/咸|Caramel/焦糖", "b:0,2,3"),
        ("Cereal Bars", "谷物棒", 199, "6 pcs", "Oat/燕麦|Nut/坚果|Berry/浆果", "b:0,3"),
        ("Chewing Gum", "口香糖", 99, "10 pcs:100:20", "Peppermint/薄荷|Spearmint/绿薄荷", "b:0,2,3"),
        ("Dried Mango", "芒果干", 249, "100g", "", "b:2"),
        ("Pralines", "夹心巧克力", 899, "200g", "|Assorted/什锦", "b:1,4"),
        ("Cantuccini", "意式杏仁饼", 299, "250g", "", "b:4"),
        ("Wafers", "威化饼", 149, "175g", "Hazelnut/榛子|Vanilla/香草|Lemon/柠檬", "b:0,4,5"),
        ("Chocolate Bar", "巧克力棒", 89, "50g:100:24", "Caramel/焦糖|Nougat/牛轧|Coconut/椰子|Peanut/花生",
         "b:1,2,5"),
        ("Marzipan", "杏仁糖", 249, "200g", "|Chocolate-coated/巧克力涂层", "b:0,5"),
        ("Liquorice", "甘草糖", 149, "200g", "Sweet/甜|Salty/咸", "b:3"),
        ("Trail Mix", "什锦果仁", 279, "200g", "Student/学生|Tropical/热带", "b:0,3,5"),
    )),
    _Category("DRI", "Water & Soft Drinks", "水和软饮", 19, "H", (
        ("Alpenquelle", "阿尔卑斯泉", "4004567", 100), ("Fontaine Claire", "清泉", "3179876", 110),
        ("Sunny Grove", "阳光果园", "5012987", 105), ("Jade Spring", "玉泉", "6901987", 95),
        ("Vita Fresca", "鲜活", "8033456", 100),
    ), (
        ("Still Water", "矿泉水", 49, "1.5L:100:6|500ml:70:24", "", "b:0,1,3"),
        ("Sparkling Water", "气泡水", 55, "1.5L:100:6|750ml:80:12", "|Lemon/柠檬", "b:0,1"),
        ("Cola", "可乐", 119, "1.5L:100:6|330ml:55:24", "|Zero/零度", ""),
        ("Lemonade", "柠檬汽水", 99, "1L:100:6|330ml:50:24", "|Elderflower/接骨木花", "b:0,1,2"),
        ("Orange Juice", "橙汁", 199, "1L:100:6", "|With Pulp/带果肉", "b:0,2"),
        ("Apple Juice", "苹果汁", 169, "1L:100:6", "Clear/清|Cloudy/浊", "b:0,2"),
        ("Multivitamin Juice", "多维果汁", 189, "1L:100:6", "", "b:0,2"),
        ("Iced Tea", "冰茶", 129, "1.5L:100:6|500ml:60:12", "Peach/桃子|Lemon/柠檬|Green/绿", ""),
        ("Energy Drink", "能量饮料", 129, "250ml:100:24|500ml:160:12", "|Sugar-free/无糖", ""),
        ("Cold Brew Coffee", "冷萃咖啡", 249, "250ml:100:12", "|Oat/燕麦", "b:1,2"),
        ("Coconut Water", "椰子水", 229, "1L:100:6|330ml:50:12", "", "b:2,3"),
        ("Soy Bean Drink", "豆浆", 129, "250ml:100:24", "|Black Sesame/黑芝麻", "b:3"),
        ("Tonic Water", "汤力水", 129, "1L:100:6|200ml:40:24", "|Light/轻怡", "b:0,1,4"),
        ("Ginger Ale", "姜汁汽水", 129, "1L:100:6|330ml:50:24", "", "b:1,2,4"),
        ("Smoothie", "果昔", 249, "750ml:100|250ml:45", "Mango/芒果|Berry/浆果|Green/绿色", "b:2,4"),
        ("Sports Drink", "运动饮料", 149, "500ml:100:12", "Orange/橙味|Lemon/柠檬|Berry/浆果", ""),
    )),
    _Category("ALC", "Beer & Wine", "啤酒和葡萄酒", 19, "I", (
        ("Brauhaus Kaiser", "凯撒啤酒坊", "4101234", 100), ("Bodega Luna", "月亮酒庄", "8431234", 110),
        ("Château Lumière", "光明酒庄", "3501234", 140), ("Cantina Rossi", "罗西酒庄", "8021234", 115),
        ("Brouwerij Van Dam", "范达姆酒厂", "8711234", 120),
    ), (
        ("Lager", "拉格啤酒", 99, "500ml:100:20|330ml:75:24", "|Alcohol-free/无醇", "b:0"),
        ("Wheat Beer", "小麦啤酒", 119, "500ml:100:20", "|Dark/黑", "b:0"),
        ("Pilsner", "皮尔森啤酒", 99, "500ml:100:20|330ml:75:24", "", "b:0"),
        ("Red Wine", "红葡萄酒", 699, "750ml:100:6",
         "Tempranillo/丹魄|Merlot/梅洛|Cabernet Sauvignon/赤霞珠|Rioja Crianza/里奥哈珍藏", "b:1,2,3"),
        ("White Wine", "白葡萄酒", 649, "750ml:100:6",
         "Riesling/雷司令|Chardonnay/霞多丽|Sauvignon Blanc/长相思|Verdejo/弗德乔", "b:1,2,3"),
        ("Rosé Wine", "桃红葡萄酒", 599, "750ml:100:6", "", "b:1,2"),
        ("Sparkling Wine", "起泡酒", 799, "750ml:100:6", "Brut/干型|Rosé/桃红", "b:2,3"),
        ("IPA", "印度淡色艾尔", 179, "330ml:100:24", "|Session/轻爽", "b:0,4"),
        ("Stout", "世涛啤酒", 189, "330ml:100:24", "", "b:4"),
        ("Cider", "苹果酒", 159, "330ml:100:24|500ml:140:12", "Dry/干型|Sweet/甜型", "b:0,4"),
        ("Prosecco", "普罗塞克起泡酒", 899, "750ml:100:6", "Extra Dry/特干|Brut/干型", "b:3"),
    )),
    _Category("FRO", "Frozen", "冷冻食品", 7, "J", (
        ("Polar Fresh", "极地鲜", "5701987", 100), ("Frostino", "冰雪", "8005678", 105),
        ("Dragon Kitchen", "龙厨", "6939876", 95), ("Gefrierhof", "冻鲜坊", "4023456", 98),
    ), (
        ("Pizza", "披萨", 299, "350g", "Margherita/玛格丽特|Salami/萨拉米|Funghi/蘑菇|Four Cheese/四种奶酪|Hawaii/夏威夷",
         "b:0,1"),
        ("Frozen Peas", "冷冻豌豆", 149, "450g:100|1kg:200", "", "b:0,1"),
        ("Mixed Vegetables", "什锦蔬菜", 169, "750g", "|Asian/亚洲风味", ""),
        ("French Fries", "薯条", 199, "750g:100|1.5kg:180", "|Crinkle/波纹", "b:0,1"),
        ("Fish Fingers", "鱼柳", 279, "300g:100|450g:140", "", "b:0"),
        ("Dumplings", "饺子", 399, "500g:100|1kg:180",
         "Pork & Cabbage/猪肉白菜|Chicken & Mushroom/鸡肉香菇|Vegetable/素|Shrimp/虾仁", "b:2"),
        ("Spring Rolls", "春卷", 299, "10 pcs", "|Vegetable/素", "b:2"),
        ("Ice Cream", "冰淇淋", 349, "900ml:100|500ml:70",
         "Vanilla/香草|Chocolate/巧克力|Strawberry/草莓|Matcha/抹茶|Salted Caramel/海盐焦糖", ""),
        ("Frozen Prawns", "冷冻虾仁", 799, "400g", "", ""),
        ("Frozen Spinach", "冷冻菠菜", 179, "450g", "|Creamed/奶油", "b:0,1"),
        ("Lasagne", "千层面", 349, "400g:100|1kg:220", "Bolognese/肉酱|Vegetable/蔬菜", "b:0,1,3"),
        ("Berries", "浆果", 299, "300g:100|750g:210", "Mixed/混合|Raspberry/覆盆子|Blueberry/蓝莓", "b:0,1,3"),
        ("Bao Buns", "包子", 399, "6 pcs", "Pork/猪肉|Char Siu/叉烧|Red Bean/豆沙", "b:2"),
        ("Fish Fillets", "鱼排", 449, "400g", "Cod/鳕鱼|Pollock/青鳕|Salmon/三文鱼", "b:0,3"),
    )),
    _Category("HOU", "Household", "家居用品", 19, "K", (
        ("CleanWave", "洁浪", "4061234", 100), ("Maison Propre", "洁屋", "3401234", 110),
        ("Nordic Home", "北欧家居", "7311234", 115), ("Bamboo Life", "竹生活", "6957654", 90),
        ("Eco Casa", "生态之家", "8410987", 105),
    ), (
        ("Washing-up Liquid", "洗洁精", 149, "500ml:100|1L:180", "Lemon/柠檬|Sensitive/温和", ""),
        ("Laundry Detergent", "洗衣液", 549, "1.5L:100|3L:180", "Colour/彩色|Universal/通用|Sensitive/温和", ""),
        ("Dishwasher Tablets", "洗碗机洗涤块", 599, "40 pcs:100|80 pcs:180", "|Eco/环保", ""),
        ("Toilet Paper", "卫生纸", 399, "8 rolls:100:6|16 rolls:180", "3-ply/三层|4-ply/四层", ""),
        ("Kitchen Roll", "厨房纸巾", 249, "4 rolls:100:6", "", ""),
        ("Bin Bags", "垃圾袋", 199, "20 pcs:100|50 pcs:200", "35L/35升|60L/60升", ""),
        ("Sponges", "海绵", 149, "5 pcs", "|Bamboo/竹纤维", ""),
        ("All-purpose Cleaner", "多用途清洁剂", 199, "750ml", "|Vinegar/醋", ""),
        ("Aluminium Foil", "铝箔纸", 199, "30m", "", ""),
        ("Cling Film", "保鲜膜", 179, "30m", "", ""),
        ("Batteries", "电池", 399, "AA 4 pcs:100|AAA 4 pcs:100", "Alkaline/碱性", ""),
        ("LED Bulb", "LED灯泡", 399, "E27 9W:100|E14 5W:90", "Warm White/暖白|Daylight/日光", "b:0,2"),
        ("Fabric Softener", "衣物柔顺剂", 299, "1L:100|2L:180", "Spring/春日|Lavender/薰衣草|Sensitive/温和", ""),
        ("Glass Cleaner", "玻璃清洁剂", 229, "500ml", "|Vinegar/醋", ""),
        ("Bathroom Cleaner", "浴室清洁剂", 249, "750ml", "|Anti-limescale/除水垢", ""),
        ("Freezer Bags", "冷冻袋", 179, "1L 50 pcs:100|3L 25 pcs:110", "", ""),
        ("Paper Napkins", "餐巾纸", 149, "50 pcs", "White/白色|Red/红色", ""),
    )),
    _Category("CAR", "Personal Care", "个人护理", 19, "L", (
        ("Belle Fleur", "美丽花", "3601234", 115), ("Herbalia", "草本之家", "8011987", 105),
        ("Silk Bloom", "丝绽", "6971234", 95), ("Dentafresh", "齿清", "4051234", 100),
        ("Pure Nature", "纯自然", "7612345", 125),
    ), (
        ("Shampoo", "洗发水", 299, "250ml:100|500ml:170", "Repair/修护|Anti-dandruff/去屑|Volume/丰盈|Sensitive/温和",
         "b:0,1,2"),
        ("Conditioner", "护发素", 299, "200ml", "Repair/修护|Volume/丰盈", "b:0,1,2"),
        ("Shower Gel", "沐浴露", 199, "250ml:100|500ml:170", "Aloe Vera/芦荟|Lavender/薰衣草|Sport/运动|Ocean/海洋",
         "b:0,1,2"),
        ("Toothpaste", "牙膏", 199, "75ml", "Whitening/美白|Sensitive/抗敏|Herbal/草本|Kids/儿童", "b:1,3"),
        ("Toothbrush", "牙刷", 249, "2 pcs", "Soft/软毛|Medium/中毛", "b:3"),
        ("Deodorant", "止汗剂", 249, "150ml:100|50ml:80", "Fresh/清新|Sensitive/温和|Men/男士", "b:0,1,2"),
        ("Hand Cream", "护手霜", 229, "75ml", "|Shea/乳木果", "b:0,1,2"),
        ("Hand Soap", "洗手液", 149, "300ml", "Lemon/柠檬|Aloe Vera/芦荟", ""),
        ("Sunscreen", "防晒霜", 899, "200ml", "SPF 30/SPF 30|SPF 50/SPF 50|Kids SPF 50/儿童 SPF 50", "b:0,1,2"),
        ("Cotton Pads", "化妆棉", 129, "80 pcs", "", "b:0,2"),
        ("Razor Blades", "剃须刀片", 999, "4 pcs:100|8 pcs:180", "", "b:3"),
        ("Body Lotion", "身体乳", 399, "250ml:100|400ml:150", "Aloe Vera/芦荟|Shea/乳木果|Sensitive/温和", ""),
        ("Face Cream", "面霜", 799, "50ml", "Day/日霜|Night/晚霜|Hydrating/保湿", "b:0,1,2,4"),
        ("Lip Balm", "润唇膏", 199, "4.8g", "|Strawberry/草莓|SPF 15/SPF 15", ""),
        ("Mouthwash", "漱口水", 299, "500ml", "Mint/薄荷|Sensitive/抗敏|Whitening/美白", "b:3,4"),
        ("Hair Gel", "发胶", 249, "150ml", "Strong/强力|Wet Look/湿发", "b:0,2"),
    )),
    _Category("PHA", "Pharmacy", "药房", 19, "M", (
        ("MediPharm", "医药坊", "4150123", 100), ("Pharmalux", "法玛乐", "5409876", 110),
        ("HealthPlus", "健康加", "5012567", 95), ("Kangning", "康宁", "6950123", 90),
        ("Apotheka", "阿波特卡", "9001234", 105),
    ), (
        ("Paracetamol 500mg", "对乙酰氨基酚 500毫克", 249, "20 tablets", "", "lot720"),
        ("Ibuprofen 400mg", "布洛芬 400毫克", 399, "20 tablets:100|50 tablets:210", "", "lot720"),
        ("Aspirin 500mg", "阿司匹林 500毫克", 349, "20 tablets", "", "lot720"),
        ("Cough Syrup", "止咳糖浆", 699, "100ml:100|200ml:170", "|Honey/蜂蜜|Children's/儿童", "lot540"),
        ("Throat Lozenges", "润喉糖", 449, "24 pcs", "Honey Lemon/蜂蜜柠檬|Menthol/薄荷", "lot540"),
        ("Nasal Spray", "鼻喷剂", 399, "15ml", "|Children's/儿童", "lot540"),
        ("Vitamin C 1000mg", "维生素C 1000毫克", 399, "20 tablets", "|Effervescent/泡腾", "lot720"),
        ("Vitamin D3", "维生素D3", 599, "60 capsules", "", "lot720"),
        ("Magnesium 400mg", "镁 400毫克", 499, "20 tablets", "|Effervescent/泡腾", "lot720"),
        ("Multivitamin", "复合维生素", 799, "30 tablets", "|Women's/女士|Men's/男士", "lot720"),
        ("Antacid Tablets", "抗酸片", 449, "24 tablets", "", "lot720"),
        ("Allergy Tablets", "抗过敏片", 599, "10 tablets:100|20 tablets:170", "", "lot720"),
        ("Plasters", "创可贴", 299, "20 pcs", "Waterproof/防水|Sensitive/敏感肌", "lot1000"),
        ("Electrolyte Sachets", "电解质冲剂", 599, "10 pcs", "|Orange/橙味", "lot720"),
    )),
    _Category("BAB", "Baby", "母婴", 7, "N", (
        ("Little Star", "小星星", "4012678", 100), ("Bébé Doux", "柔宝贝", "3041234", 115),
        ("Panda Baby", "熊猫宝宝", "6931234", 95),
    ), (
        ("Infant Formula", "婴儿配方奶粉", 1599, "800g", "Stage 1/1段|Stage 2/2段|Stage 3/3段", "lot400"),
        ("Baby Puree", "婴儿果蔬泥", 129, "190g:100:6", "Carrot/胡萝卜|Apple/苹果|Pumpkin/南瓜|Banana/香蕉", "lot300"),
        ("Baby Rice Cereal", "婴儿米粉", 399, "250g", "|Banana/香蕉", "lot300"),
        ("Nappies", "纸尿裤", 1199, "Size 3 52 pcs:100|Size 4 46 pcs:100|Size 5 40 pcs:100", "", ""),
        ("Baby Wipes", "婴儿湿巾", 199, "80 pcs:100:12", "|Sensitive/敏感肌", ""),
    )),
)

_ZH_UNITS = (("tablets", "片"), ("capsules", "粒"), ("bags", "袋"), ("rolls", "卷"), ("pods", "粒"),
             ("sheets", "张"), ("eggs", "枚"), ("pcs", "个"), ("pot", "盆"), ("kg", "千克"), ("ml", "毫升"),
             ("g", "克"), ("L", "升"), ("m", "米"))
_ZH_UNIT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(u for u, _ in _ZH_UNITS) + r")\b")


def _zh_size(label: str) -> str:
    units = dict(_ZH_UNITS)
    text = _ZH_UNIT_RE.sub(lambda m: m.group(1) + units[m.group(2)], label)
    return re.sub(r"Size (\d+)", r"\1号", text).replace("x", "×")


# --- the catalogue -------------------------------------------------------------------------------


@dataclass
class _Item:
    """One product to create, before it has a database id."""

    category: _Category
    en: str
    zh: str
    cents: int
    brand: int
    weight: bool = False
    pack: int = 0
    shelf_days: int = 0
    sku: str = ""
    ean: str = ""
    item_code: str = ""


def _flag(flags: str, name: str) -> str | None:
    for part in flags.split():
        if part.startswith(name):
            return part[len(name):]
    return None


def _combos(rng: random.Random) -> list[list[_Item]]:
    """Every plausible brand x kind x variant x size, grouped per kind (each group shuffled)."""
    groups = []
    for cat in _CATEGORIES:
        for en, zh, cents, sizes, variants, flags in cat.kinds:
            weight = _flag(flags, "kg") is not None
            allowed = _flag(flags, "b:")
            brand_ids = [int(b) for b in allowed.split(",")] if allowed else list(range(len(cat.brands)))
            lot = _flag(flags, "lot")
            kind_pack = int(_flag(flags, "pack") or 0)
            group = []
            for brand_id in brand_ids:
                b_en, b_zh = cat.brands[brand_id][:2]
                brand_pct = 100 if weight else cat.brands[brand_id][3]
                for variant in variants.split("|"):
                    v_en, _, v_zh = variant.partition("/")
                    for size in (sizes.split("|") if sizes else [""]):
                        parts = size.split(":")
                        label = parts[0]
                        pct = parts[1] if len(parts) > 1 else "100"
                        pack = parts[2] if len(parts) > 2 else str(kind_pack)
                        if weight:
                            name_en = f"{' '.join(filter(None, [v_en, en]))} ({b_en})"
                            name_zh = f"{b_zh}{v_zh}{zh}"
                        else:
                            name_en = " ".join(filter(None, [b_en, v_en, en, label]))
                            name_zh = " ".join(filter(None, [b_zh, f"{v_zh}{zh}", _zh_size(label)]))
                        group.append(_Item(cat, name_en, name_zh, cents * int(pct) * brand_pct // 10000,
                                           brand_id, weight=weight, pack=int(pack),
                                           shelf_days=int(lot) if lot else 0))
            rng.shuffle(group)
            groups.append(group)
    return groups


def available_products() -> int:
    """How many distinct products the word lists can name."""
    return sum(len(g) for g in _combos(random.Random(0)))


def build_catalogue(count: int, seed: int = DEFAULT_SEED) -> list[_Item]:
    """`count` products, taken round-robin over the kinds so every kind of goods shows up."""
    rng = random.Random(seed)
    groups = _combos(rng)
    total = sum(len(g) for g in groups)
    if not 0 < count <= total:
        raise ValueError(f"The demo catalogue has between 1 and {total} products, not {count}.")
    picked: list[_Item] = []
    depth = 0
    while len(picked) < count:
        for group in groups:
            if depth < len(group) and len(picked) < count:
                picked.append(group[depth])
        depth += 1
    picked.sort(key=lambda it: (it.category.code, it.en))
    next_ref: dict[str, int] = {}
    per_category: dict[str, int] = {}
    item_code = 10000
    for item in picked:
        per_category[item.category.code] = per_category.get(item.category.code, 0) + 1
        item.sku = f"{item.category.code}-{per_category[item.category.code]:04d}"
        item.cents = _shelf_price(item.cents * rng.randint(92, 110) // 100)
        if item.weight:
            item_code += rng.randint(1, 7)
            item.item_code = f"{item_code:05d}"
        else:
            prefix = item.category.brands[item.brand][2]
            # Item references start somewhere inside the company's range, as they would in a real shop.
            ref = next_ref.setdefault(prefix, rng.randint(100, 60000))
            next_ref[prefix] = ref + rng.randint(1, 9)
            body = f"{prefix}{ref:05d}"
            item.ean = body + gs1_check_digit(body)
    return picked


def _shelf_price(cents: int) -> int:
    """Round to the endings shops use: 0.49, 1.29, 12.99."""
    cents = max(cents, 19)
    if cents < 1000:
        return cents // 10 * 10 + 9
    return cents // 50 * 50 + 49 if cents < 3000 else cents // 100 * 100 + 99


def pack_gtin(ean13: str) -> str:
    """The case's GTIN-14: indicator digit 1 in front of the unit's first 12 digits, new check digit."""
    body = "1" + ean13[:12]
    return body + gs1_check_digit(body)


# --- seeding -------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    products: int = 0
    barcodes: int = 0
    pack_barcodes: int = 0
    weight_priced: int = 0
    lot_tracked: int = 0
    stock_events: int = 0
    receipts: list[str] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)
    customers: int = 0
    logins: tuple = DEMO_LOGINS


def is_empty() -> bool:
    """A store with no products yet: the only kind `seed_demo` touches."""
    return not Product.select().exists()


def seed_demo(products: int = DEFAULT_PRODUCTS, seed: int = DEFAULT_SEED, *,
              booked_by: tuple[str, str] | None = None) -> DemoSummary | None:
    """Fill an empty store with the demo shop in one transaction; None (nothing done) if not empty.

    `booked_by` names the terminals (store, warehouse) that book the opening stock; head office
    seeds with terminals of its own so that the counters pull that stock as someone else's events.
    """
    if not is_empty():
        return None
    rng = random.Random(seed)
    items = build_catalogue(products, seed)
    summary = DemoSummary()
    with db.atomic():
        store = ensure_terminal(STORE_TERMINAL, STORE_CODE, location_name=STORE_NAME, kind=STORE, currency=CURRENCY)
        warehouse = ensure_terminal(WAREHOUSE_TERMINAL, WAREHOUSE_CODE, location_name=WAREHOUSE_NAME,
                                    kind=WAREHOUSE, currency=CURRENCY)
        for location, name_zh in ((store.location, STORE_NAME_ZH), (warehouse.location, WAREHOUSE_NAME_ZH)):
            Location.update(name_zh=name_zh).where(Location.id == location.id).execute()
        users = {code: create_user(code, name, pin, role) for code, pin, role, name in DEMO_LOGINS}
        _insert_catalogue(items, summary)
        by_sku = {p.sku: p for p in Product.select()}
        manager = users[MANAGER_CODE]
        store_lines = _opening_stock(rng, items, by_sku, warehouse=False)
        wh_lines = _opening_stock(rng, items, by_sku, warehouse=True)
        _create_bins(store.location, store_lines)
        _create_bins(warehouse.location, wh_lines)
        if booked_by:
            store = ensure_terminal(booked_by[0], STORE_CODE)
            warehouse = ensure_terminal(booked_by[1], WAREHOUSE_CODE)
        for actor, lines in ((Actor(store, manager), store_lines), (Actor(warehouse, manager), wh_lines)):
            for category in sorted(lines):
                result = receive_goods(actor, lines[category])
                summary.receipts.append(result.reference)
                summary.stock_events += len(result.events)
        summary.deliveries = _expected_deliveries(rng, items, by_sku, store.location, warehouse.location)
        summary.customers = _customers()
    return summary


def _insert_catalogue(items: list[_Item], summary: DemoSummary) -> None:
    now = clock.now()
    product_fields = [Product.sku, Product.name, Product.name_zh, Product.category, Product.category_zh, Product.unit,
                      Product.unit_precision, Product.track_lot, Product.track_serial, Product.track_expiry,
                      Product.weight_priced, Product.tax_rate, Product.active, Product.needs_count,
                      Product.updated_at]
    rows = [(it.sku, it.en, it.zh, it.category.en, it.category.zh, "kg" if it.weight else "pcs", 3 if it.weight else 0,
             bool(it.shelf_days), False, bool(it.shelf_days), it.weight, Decimal(it.category.tax), True, False,
             now) for it in items]
    _insert_chunks(Product, product_fields, rows)
    ids = dict(Product.select(Product.sku, Product.id).tuples())
    since = dt.datetime(2000, 1, 1)
    prices, codes = [], []
    for it in items:
        pid = ids[it.sku]
        prices.append((pid, Decimal(it.cents) / 100, CURRENCY, since, None))
        if it.weight:
            codes.append((scale_lookup_code(it.item_code), pid, Decimal(1)))
            continue
        codes.append((it.ean.zfill(14), pid, Decimal(1)))
        if it.pack:
            codes.append((pack_gtin(it.ean), pid, Decimal(it.pack)))
            summary.pack_barcodes += 1
    _insert_chunks(Price, [Price.product, Price.amount, Price.currency, Price.valid_from, Price.valid_to], prices)
    _insert_chunks(Barcode, [Barcode.code, Barcode.product, Barcode.pack_qty], codes)
    summary.products = len(items)
    summary.barcodes = len(codes)
    summary.weight_priced = sum(it.weight for it in items)
    summary.lot_tracked = sum(bool(it.shelf_days) for it in items)


def _insert_chunks(model: type, fields: list, rows: list[tuple]) -> None:
    for start in range(0, len(rows), _CHUNK):
        model.insert_many(rows[start:start + _CHUNK], fields=fields).execute()


def _opening_stock(rng: random.Random, items: list[_Item], by_sku: dict[str, Product], *,
                   warehouse: bool) -> dict[str, list[ReceivedLine]]:
    """Received lines per category: shelves in the store, cases on racks in the warehouse."""
    today = clock.now().date()
    lines: dict[str, list[ReceivedLine]] = {}
    for it in items:
        if warehouse and (it.weight or rng.random() < 0.35):
            continue  # the warehouse holds no loose produce, and not every line
        if not warehouse and rng.random() < 0.03:
            continue  # a few lines sold out: the counter may still sell them (below zero, recount)
        if it.weight:
            qty = Decimal(rng.randint(4000, 40000)).scaleb(-3)
        elif warehouse:
            qty = Decimal((it.pack or 10) * rng.randint(4, 40))
        else:
            qty = Decimal(rng.randint(4, 48))
        aisle = ord(it.category.aisle) - ord("A") + 1
        bin_code = (f"R{aisle:02d}-{rng.randint(1, 20):02d}-{'ABCD'[rng.randrange(4)]}" if warehouse
                    else f"{it.category.aisle}-{rng.randint(1, 12):02d}")
        product = by_sku[it.sku]
        batches = [(qty, 0)]
        if it.shelf_days and qty >= 8 and rng.random() < 0.4:
            older = (qty / 3).to_integral_value()
            batches = [(older, -(it.shelf_days // 3) - 1), (qty - older, 0)]
        for batch_qty, age in batches:
            lot, expiry = "", None
            if it.shelf_days:
                made = today + dt.timedelta(days=age - rng.randint(0, 3))
                lot = f"L{made:%y%j}{'ABCDEFGH'[rng.randrange(8)]}"
                expiry = made + dt.timedelta(days=it.shelf_days)
            lines.setdefault(it.category.code, []).append(
                ReceivedLine(product, batch_qty, lot=lot, expiry=expiry, bin=bin_code))
    return lines


def _create_bins(location, lines: dict[str, list[ReceivedLine]]) -> None:
    codes = sorted({line.bin for group in lines.values() for line in group})
    Bin.insert_many([{"location": location.id, "code": c} for c in codes]).on_conflict_ignore().execute()


def _expected_deliveries(rng: random.Random, items: list[_Item], by_sku: dict[str, Product],
                         store, warehouse) -> list[str]:
    """Open deliveries for the intake screen: two due at the store, one at the warehouse."""
    tomorrow = clock.now().replace(hour=8, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    plans = (
        ("PO-45001", store, "Alpenhof Molkerei GmbH", "DAI", 12),
        ("PO-45002", store, "Golden Dragon Trading Co.", "ASI", 10),
        ("ASN-77810", warehouse, "Brauhaus Kaiser KG", "ALC", 8),
    )
    numbers = []
    for number, location, supplier, category, count in plans:
        pool = [it for it in items if it.category.code == category and not it.weight]
        if not pool:
            continue
        delivery = Delivery.create(number=number, location=location, supplier=supplier, expected_at=tomorrow)
        for it in rng.sample(pool, min(count, len(pool))):
            qty = Decimal((it.pack or 6) * rng.randint(1, 4))
            DeliveryLine.create(delivery=delivery, product=by_sku[it.sku], expected=qty)
        numbers.append(number)
    return numbers


def _customers() -> int:
    rows = [
        ("C0001", "Anna Schmidt", "anna.schmidt@example.com", "+49 30 1234567", "loyalty"),
        ("C0002", "王芳 Wang Fang", "wang.fang@example.com", "+49 30 2345678", "loyalty"),
        ("C0003", "Luca Bianchi", "luca.bianchi@example.com", "", ""),
        ("C0004", "李伟 Li Wei", "", "+49 176 5550101", "loyalty"),
        ("C0005", "Café Lindenhof GmbH", "einkauf@lindenhof.example", "+49 30 9876543", "business"),
        ("C0006", "Sophie Martin", "", "", ""),
    ]
    now = clock.now()
    Customer.insert_many([{"code": c, "name": n, "email": e, "phone": p, "segment": s, "created_at": now}
                          for c, n, e, p, s in rows]).execute()
    return len(rows)


def describe(summary: DemoSummary) -> dict:
    """The summary as plain data (for `counter demo --json`)."""
    return {
        "products": summary.products, "barcodes": summary.barcodes, "pack_barcodes": summary.pack_barcodes,
        "weight_priced": summary.weight_priced, "lot_tracked": summary.lot_tracked,
        "stock_events": summary.stock_events, "receipts": summary.receipts, "deliveries": summary.deliveries,
        "customers": summary.customers,
        "events_in_ledger": StockEvent.select().count(),
    }
