"""Demo sales data (issue #3): a product catalogue, opportunities with their stage history,
tasks, contracts in every status with approvals, sales records and payments over the last two
years, on top of the demo customers.

Every record is written through the services, so numbers, totals, approvals, sales records,
customer statuses and the change history are what real use would produce. The services stamp
"now", so the demo first plans each event at an invented moment, then runs the events in that
order, and finally moves every timestamp written during an event to the event's invented
moment (`_Clock`). Dates the services take from today (a contract's execution start and
completion) are set right after the event that wrote them.
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import F, Q
from django.utils import timezone

from guanxi.accounts.models import Department, User
from guanxi.common import clock
from guanxi.common.models import AuditLog
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Contact, Customer
from guanxi.reference import models as ref

from .enums import ACTIVE_CUSTOMER_STATUSES, ContractStatus, PaymentMethod
from .models import (
    ApprovalDecision,
    Contract,
    NumberSequence,
    Opportunity,
    Payment,
    Product,
    SalesRecord,
    SalesSettings,
    StageChange,
    Task,
)
from .search import contract_text_now
from .services import contracts as cs
from .services import opportunities as opps
from .services.products import product_create, product_update
from .services.records import payment_create, sales_record_create
from .services.tasks import task_complete, task_create

D = Decimal
S = ContractStatus
DAY = datetime.timedelta(days=1)
CENT = D("0.01")

# code | name | specification | unit | list price | category | features [| 停产 = no longer sold]
PRODUCTS = [
    line.split(" | ")
    for line in """
ZD-1001 | 刹车片（前轮） | 陶瓷配方 B级轿车 4片/套 | 套 | 380 | 制动系统 | 低粉尘，ECE R90认证
ZD-1002 | 刹车片（后轮） | 半金属配方 4片/套 | 套 | 320 | 制动系统 | 耐高温，抗热衰退
ZD-1003 | 通风制动盘 | Φ300×28mm HT250 | 件 | 460 | 制动系统 | 动平衡≤15g·cm，防锈涂层
ZD-1004 | 制动钳总成 | 双活塞 Φ54mm 铝合金钳体 | 件 | 1280 | 制动系统 | 轻量化，较铸铁钳体减重35%
ZD-1005 | 气压继动阀 | 商用车 M22×1.5 | 件 | 860 | 制动系统 | 响应时间≤0.2s
ZD-1006 | ABS轮速传感器 | 霍尔式 线长800mm | 件 | 210 | 制动系统 | IP67防护
ZD-1007 | 制动鼓 | Φ410×220 重卡后桥 | 件 | 690 | 制动系统 | 已停产，由盘式制动系列替代 | 停产
CD-2001 | 离合器总成 | Φ430 拉式膜片弹簧 | 套 | 2680 | 传动系统 | 适配12挡变速箱，寿命20万公里
CD-2002 | 离合器从动盘 | Φ240 有机摩擦片 | 件 | 420 | 传动系统 | 带扭转减振器
CD-2003 | 齿轮箱 | 12挡重型 输入扭矩2100N·m | 台 | 28600 | 传动系统 | 全同步器，铝合金壳体
CD-2004 | 传动轴总成 | 长1450mm 法兰Φ180 | 件 | 1850 | 传动系统 | 动平衡G16级
CD-2005 | 主减速器总成 | 速比4.11 单级 | 套 | 5200 | 传动系统 | 螺旋锥齿轮，低噪音
CD-2006 | 十字轴万向节 | 57×152mm | 件 | 160 | 传动系统 | 免维护密封
CD-2007 | 同步器齿环 | 黄铜 3-4挡 | 件 | 95 | 传动系统 | 旧款，已停产 | 停产
XJ-3001 | 减震器（前） | 双筒液压 行程180mm | 件 | 450 | 悬架系统 | 阻尼可调，寿命8万公里
XJ-3002 | 空气弹簧 | 客车用 1K350 | 件 | 1320 | 悬架系统 | 天然橡胶囊皮，耐低温-40℃
XJ-3003 | 钢板弹簧总成 | 10片 90×16mm | 套 | 2150 | 悬架系统 | 喷丸强化，60Si2Mn
XJ-3004 | 稳定杆衬套 | 橡胶 内径Φ25 | 件 | 38 | 悬架系统 | 耐老化配方
XJ-3005 | 下控制臂总成 | 锻铝 带球头 | 件 | 560 | 悬架系统 | 球头寿命10万公里
FD-4001 | 活塞环组件 | Φ126 三环 | 套 | 260 | 发动机配件 | 镀铬顶环，低机油耗
FD-4002 | 气缸垫 | 多层钢 6缸 | 件 | 185 | 发动机配件 | 旧款，已由新型号替代 | 停产
FD-4003 | 涡轮增压器 | 废气旁通 6.7L柴油机 | 件 | 6800 | 发动机配件 | 国六排放适配
FD-4004 | 机油滤清器 | 旋装式 M20×1.5 | 件 | 45 | 发动机配件 | 过滤效率≥98%
FD-4005 | 空气滤清器滤芯 | K2841 纸质 | 件 | 68 | 发动机配件 | 大容尘量
FD-4006 | 水泵总成 | 铸铁叶轮 | 件 | 720 | 发动机配件 | 机械密封，无泄漏
FD-4007 | 高压共轨喷油器 | 国六 1800bar | 件 | 1450 | 发动机配件 | 多次喷射
DQ-5001 | 起动机 | 24V 5.5kW | 台 | 1980 | 电气系统 | 减速型，低温启动可靠
DQ-5002 | 发电机 | 28V 70A | 台 | 1650 | 电气系统 | 内置调节器
DQ-5003 | 车身控制模块 | CAN总线 12V | 件 | 2300 | 电气系统 | 支持远程升级
JC-6001 | 数控车床 | CK6150 回转直径Φ500 FANUC 0i-TF | 台 | 186000 | 机床 | 液压卡盘，八工位刀塔
JC-6002 | 立式加工中心 | VMC850 行程800×500×550 | 台 | 328000 | 机床 | 主轴12000rpm，24把刀库
JC-6003 | 数控铣床 | XK7132 工作台320×1250 | 台 | 145000 | 机床 | 三轴联动
JC-6004 | 精密平面磨床 | M7140 工作台400×1000 | 台 | 98000 | 机床 | 定位精度0.005mm
JC-6005 | 摇臂钻床 | Z3050×16 最大钻孔Φ50 | 台 | 56000 | 机床 | 液压夹紧
JC-6006 | 普通卧式车床 | C6140 床身上Φ400 | 台 | 42000 | 机床 | 已停产，由数控车床替代 | 停产
YY-7001 | 四柱液压机 | YH32-315T 公称力3150kN | 台 | 268000 | 液压设备 | PLC控制，双手按钮
YY-7002 | 液压站 | 37kW 31.5MPa | 台 | 38000 | 液压设备 | 风冷，带蓄能器
YY-7003 | 液压油缸 | HSG Φ125/Φ90×500 | 件 | 3600 | 液压设备 | 进口密封件
YY-7004 | 齿轮泵 | CBN-E316 16mL/r | 件 | 880 | 液压设备 | 额定压力20MPa
YY-7005 | 电液换向阀 | 4WEH16 DC24V | 件 | 2450 | 液压设备 | 可与力士乐互换
QZ-8001 | 电动葫芦 | CD1 5t×12m | 台 | 8600 | 起重设备 | 双速，带限位
QZ-8002 | 圆柱齿轮减速机 | ZQ500 速比23.34 | 台 | 12800 | 通用机械 | 硬齿面
""".strip().splitlines()
]
VEHICLE = {"制动系统", "传动系统", "悬架系统", "发动机配件", "电气系统"}
PLANT = {"机床", "液压设备", "起重设备", "通用机械"}
# industry code → the product categories its customers buy
CATEGORIES = {
    "AUTO_PARTS": VEHICLE,
    "AUTO_OEM": VEHICLE,
    "LOGISTICS": {"制动系统", "悬架系统", "发动机配件", "电气系统"},
    "MACHINERY": PLANT | {"传动系统"},
    "CONSTRUCTION": {"液压设备", "起重设备", "传动系统", "机床"},
    "AGRI": {"传动系统", "液压设备", "发动机配件", "机床"},
}
VEHICLE_PROJECTS = [
    "{year}年度{p}采购",
    "{p}配套项目",
    "{p}国产化替代",
    "售后{p}备货",
    "新车型{p}定点",
]
PLANT_PROJECTS = ["{p}采购项目", "新厂房设备采购（{p}）", "{p}技改项目", "生产线升级改造（{p}）"]
VEHICLE_RIVALS = ["博世", "采埃孚", "天合", "万向钱潮", "亚太股份", "法雷奥", "大陆"]
PLANT_RIVALS = ["沈阳机床", "大连机床", "海天精工", "济南二机床", "合锻智能", "天锻"]
# name: (website, products, strengths, weaknesses, price level vs ours)
RIVAL_DETAILS = {
    "博世": (
        "https://www.bosch.com.cn",
        "制动系统、转向系统、电子控制单元",
        "品牌强，主机厂认可度高，研发投入大",
        "价格高，小批量订单响应慢",
        "high",
    ),
    "采埃孚": (
        "https://www.zf.com/cn",
        "变速箱、底盘模块、转向机",
        "系统集成能力强，全球配套经验",
        "交期长，售后网点少于本土企业",
        "high",
    ),
    "天合": (
        "",
        "制动卡钳、安全气囊、转向系统",
        "安全件技术积累深",
        "本地化工程支持不足",
        "high",
    ),
    "万向钱潮": (
        "",
        "万向节、轮毂单元、等速驱动轴",
        "规模大，成本控制好，国内售后渠道广",
        "高端车型配套经验少",
        "similar",
    ),
    "亚太股份": (
        "",
        "制动总泵、盘式制动器、真空助力器",
        "报价灵活，对自主品牌响应快",
        "产品一致性偶有问题",
        "low",
    ),
    "法雷奥": (
        "https://www.valeo.com",
        "离合器、照明、热管理",
        "技术领先，外资主机厂认可",
        "价格高，定制开发周期长",
        "high",
    ),
    "大陆": (
        "",
        "制动系统、传感器、轮胎",
        "电子制动与传感器技术强",
        "商务条款强硬，账期短",
        "high",
    ),
    "沈阳机床": (
        "",
        "数控车床、立式加工中心",
        "产品线全，国企背景招标有优势",
        "售后服务响应慢",
        "similar",
    ),
    "大连机床": (
        "",
        "卧式加工中心、组合机床",
        "大型专机经验丰富",
        "交期不稳定",
        "similar",
    ),
    "海天精工": (
        "",
        "龙门加工中心、数控机床",
        "性价比高，交期快",
        "高精度机型经验少",
        "low",
    ),
    "济南二机床": (
        "",
        "大型冲压线、数控锻压设备",
        "冲压线整线交付能力强",
        "价格高，中小客户不重视",
        "high",
    ),
    "合锻智能": (
        "",
        "液压机、伺服压力机",
        "液压机技术成熟，价格有竞争力",
        "自动化集成能力一般",
        "low",
    ),
    "天锻": ("", "液压机、复合材料成型设备", "重型液压机经验丰富", "设计周期长", "similar"),
}
OPP_NOTES = [
    "",
    "",
    "客户技术部已认可我方方案。",
    "决策人为采购总监，需要高层拜访。",
    "客户对交期要求较高。",
    "老客户介绍，关系良好。",
]
LOST_NOTES = {
    "PRICE": "客户选择了报价更低的供应商。",
    "COMPETITOR": "客户最终选择了{rival}。",
    "NO_BUDGET": "客户项目预算取消，明年再议。",
    "QUALITY": "客户对样品耐久试验结果有顾虑。",
    "TIMING": "客户要求20天交货，我方无法满足。",
}
# work method code → [(purpose, result)]
TASKS = {
    "VISIT": [
        ("拜访采购经理，了解年度采购计划", "客户明年采购量预计增长15%左右，要求下周提供报价。"),
        ("现场查看生产线，确认技术参数", "已确认安装尺寸与工况参数，技术部准备方案。"),
        ("商务洽谈，确认价格与付款条件", "客户接受30%预付款，价格需再让2%，待领导审批。"),
        ("陪同技术人员现场调试设备", "设备调试完成，客户已签署验收单。"),
        ("年度客户回访", "客户对产品质量满意，希望交期缩短一周。"),
    ],
    "PHONE": [
        ("电话跟进报价反馈", "客户正在内部比价，约定周五前答复。"),
        ("催收到期货款", "财务确认本月底前安排付款。"),
        ("确认交货时间与收货地址", "已确认送货到二号仓库，周三到货。"),
        ("回访产品使用情况", "使用正常，无质量问题反馈。"),
    ],
    "EMAIL": [
        ("发送技术方案及报价单", "已发送，客户确认收到。"),
        ("发送合同草案供客户审阅", "客户法务提出两处修改意见，已转公司法务。"),
    ],
    "WECHAT": [
        ("微信沟通样品测试结果", "样品台架试验通过，进入小批量试装。"),
        ("发送产品资料和认证证书", "客户已转技术部评估。"),
    ],
    "MEETING": [
        ("参加客户供应商大会", "客户明年新增两个平台，有配套机会。"),
        ("技术交流会", "客户对新品兴趣较大，安排样品试制。"),
    ],
    "EXHIBITION": [("展会接待客户参观展台", "客户现场看了样机，约定下月上门拜访。")],
}
TASK_METHODS = (
    ["VISIT", "PHONE", "WECHAT", "EMAIL", "MEETING", "EXHIBITION"],
    [35, 30, 15, 10, 7, 3],
)
AFTER_SALE = ("回访设备使用情况，了解售后需求", "设备运行稳定，客户计划下半年追加采购。")
TASK_TIMES = [(9, 0), (9, 30), (10, 0), (10, 30), (14, 0), (14, 30), (15, 30), (16, 0)]
APPROVE_COMMENTS = ["同意。", "同意，注意按期回款。", "价格合理，同意签订。", ""]
REJECT_COMMENTS = [
    "单价低于公司最低折扣，请重新报价。",
    "付款条件不符合公司规定，预付款比例不得低于30%。",
    "交货期过短，生产无法保证，请与客户重新协商。",
    "客户信用额度不足，请补充担保后再提交。",
]
TERMINATE_COMMENTS = [
    "客户项目取消，双方协商终止合同。",
    "客户资金困难，暂停执行，协商终止。",
    "技术方案变更，原合同终止，另行签订。",
]
TERMS = [
    "交货期：合同签订后30天内；付款方式：30%预付款，60%到货款，10%质保金。",
    "交货期：合同签订后45天内；付款方式：到货验收后60天内付清。",
    "交货期：分批交货；付款方式：月结60天。",
]


@dataclass
class _Step:
    day: datetime.date
    phase: int  # orders the steps of one plan that fall on the same day
    run: Callable[[], Any]


@dataclass(order=True)
class _Event:
    moment: datetime.datetime
    seq: int
    run: Callable[[], Any] = field(compare=False)


class _Clock:
    """Maps the real moments at which the demo's service calls ran to the invented moments
    they are meant to have happened at. `at()` opens an event; every timestamp written until
    the next `at()` belongs to it."""

    def __init__(self) -> None:
        self.real: list[datetime.datetime] = []
        self.fake: list[datetime.datetime] = []

    def at(self, when: datetime.datetime) -> datetime.datetime:
        last = clock.now()
        start = clock.now()
        while start <= last:  # a clear boundary: nothing earlier can share its microsecond
            start = clock.now()
        self.real.append(start)
        self.fake.append(when)
        return start

    @property
    def start(self) -> datetime.datetime:
        return self.real[0]

    def map(self, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None or not self.real or value < self.real[0]:
            return value
        return self.fake[bisect_right(self.real, value) - 1]

    def map_text(self, value: Any) -> Any:
        """A moment written into a history entry's changes as text, mapped like `map`."""
        if not isinstance(value, str) or len(value) < 19 or value[10:11] != " ":
            return value
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None or not self.real or moment < self.start:
            return value
        return str(self.map(moment).astimezone(datetime.UTC))


class _Demo:
    def __init__(self, *, seed: int, users: dict[str, User]) -> None:
        self.rng = random.Random(seed * 7919 + 3)
        self.users = users
        self.competitors: dict[str, Any] = {}
        self.today = clock.localdate()
        self.last_day = self.today - DAY  # past events happen yesterday at the latest
        self.clock = _Clock()
        self.events: list[_Event] = []
        self.first_day: dict[int, datetime.date] = {}  # customer → their earliest event
        self.rules = SalesSettings.objects.get_or_create(pk=1)[0]
        self.stages = list(ref.OpportunityStage.objects.filter(is_active=True))
        self.stages.sort(key=lambda s: (s.sort_order, s.code))
        self.reasons = list(ref.LostReason.objects.filter(is_active=True))
        self.methods = {m.code: m for m in ref.WorkMethod.objects.filter(is_active=True)}
        self.project_types = {p.code: p for p in ref.ProjectType.objects.filter(is_active=True)}
        self.sources = list(ref.CustomerSource.objects.filter(is_active=True))
        self.products: list[Product] = []
        self.retired: dict[int, datetime.date] = {}  # product → the day it was deactivated
        self.counts = {
            "contract_cycle": 0,
            "open": 0,
            "lost": 0,
            "reject_first": 0,
            "won_waiting": 0,
        }

    # --- time ----------------------------------------------------------------------------

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.last_day - self.rng.randint(low, high) * DAY

    def moment(self, day: datetime.date, minutes: int) -> datetime.datetime:
        naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
        return timezone.make_aware(naive)

    def schedule(self, steps: list[_Step], customer: Customer | None = None) -> None:
        """Give a plan's steps strictly increasing moments (working hours, in day and phase
        order) and queue them."""
        steps = sorted(steps, key=lambda s: (s.day, s.phase))
        index = 0
        while index < len(steps):
            end = index
            while end < len(steps) and steps[end].day == steps[index].day:
                end += 1
            slots = sorted(self.rng.sample(range(8 * 60 + 30, 18 * 60 + 30, 5), end - index))
            for step, minutes in zip(steps[index:end], slots, strict=True):
                seq = len(self.events)
                self.events.append(_Event(self.moment(step.day, minutes), seq, step.run))
            index = end
        if customer is not None and steps:
            first = self.first_day.get(customer.pk, steps[0].day)
            self.first_day[customer.pk] = min(first, steps[0].day)

    def run(self) -> None:
        for event in sorted(self.events):
            self.clock.at(event.moment)
            event.run()
        self.events = []

    # --- products ------------------------------------------------------------------------

    def create_products(self) -> None:
        clerk = self.users["clerk"]
        for index, row in enumerate(PRODUCTS):
            code, name, spec, unit, price, category, features, *discontinued = row
            when = self.moment(self.today - (930 - index * 2) * DAY, 9 * 60 + 5 * index)
            self.clock.at(when)
            product = product_create(
                actor=clerk,
                code=code,
                name=name,
                specification=spec,
                unit=unit,
                list_price=D(price).quantize(CENT),
                category=category,
                features=features,
            )
            self.products.append(product)
            if discontinued:
                retired = self.days_ago(100, 220)
                self.retired[product.pk] = retired
                self.schedule(
                    [
                        _Step(
                            retired,
                            0,
                            lambda p=product: product_update(
                                actor=clerk, product=p, is_active=False
                            ),
                        )
                    ]
                )

    def create_competitors(self) -> None:
        from guanxi.market.services import competitor_create

        researcher = self.users.get("researcher") or self.users["admin"]
        for index, name in enumerate([*VEHICLE_RIVALS, *PLANT_RIVALS]):
            website, products, strengths, weaknesses, price = RIVAL_DETAILS[name]
            self.clock.at(self.moment(self.today - (900 - index * 3) * DAY, 10 * 60 + index))
            self.competitors[name] = competitor_create(
                actor=researcher,
                name=name,
                website=website,
                products=products,
                strengths=strengths,
                weaknesses=weaknesses,
                price_level=price,
            )

    def pool(self, customer: Customer, *, retired_before: datetime.date | None = None) -> list:
        categories = CATEGORIES.get(customer.industry.code if customer.industry else "", VEHICLE)
        return [
            p
            for p in self.products
            if p.category in categories
            and (
                p.pk not in self.retired
                or (retired_before is not None and retired_before < self.retired[p.pk])
            )
        ]

    def quantity(self, price: Decimal) -> Decimal:
        rng = self.rng
        if price >= 20000:
            return D(rng.choice([1, 1, 1, 2, 2, 3, 4]))
        if price >= 2000:
            return D(rng.choice([5, 8, 10, 12, 20, 30, 50]))
        if price >= 300:
            return D(rng.choice([50, 80, 100, 150, 200, 300, 500]))
        if price >= 100:
            return D(rng.choice([100, 200, 300, 500, 800, 1000]))
        return D(rng.choice([500, 1000, 2000, 3000, 5000]))

    def price(self, product: Product) -> Decimal:
        discount = D(self.rng.choice(["1", "0.98", "0.95", "0.92", "0.9", "0.88"]))
        price = product.list_price * discount
        if price >= 10000:
            return price.quantize(D("100")).quantize(CENT)
        return price.quantize(CENT)

    def lines(self, customer: Customer, *, at_least: Decimal | None = None) -> list[dict]:
        pool = self.pool(customer)
        picked = self.rng.sample(pool, min(len(pool), self.rng.choice([1, 1, 2, 2, 3, 4])))
        lines = [
            {"product": p, "quantity": self.quantity(p.list_price), "unit_price": self.price(p)}
            for p in picked
        ]
        if at_least is not None:
            total = self.total(lines)
            if total < at_least:
                factor = int(at_least / total) + 1
                for line in lines:
                    line["quantity"] *= factor
        return lines

    @staticmethod
    def total(lines: list[dict]) -> Decimal:
        return sum((cs.line_amount(x["quantity"], x["unit_price"]) for x in lines), D("0.00"))

    # --- opportunities and tasks -----------------------------------------------------------

    def head_of(self, user: User) -> User:
        return cs.approver_for(user) or self.users["admin"]

    def opportunity(
        self,
        customer: Customer,
        *,
        stage: int,
        outcome: str,
        last_move: datetime.date,
        close: datetime.date | None = None,
        lines: list[dict] | None = None,
    ) -> tuple[dict, list[_Step]]:
        """Plan one opportunity: created in an early stage, moved up to `stage` (the last
        move on `last_move`), then won or lost on `close`, or left open."""
        rng = self.rng
        seller = customer.owner
        owner = self.head_of(seller) if rng.random() < 0.15 else seller
        lines = lines or self.lines(customer)
        main = max(lines, key=lambda x: x["unit_price"] * x["quantity"])["product"]
        plant = main.category in PLANT
        # Most come in cold; some already qualified (a tender, a referral with a clear need).
        first = min(stage, rng.choices([0, 1, 2], [55, 30, 15])[0])
        moves: list[tuple[datetime.date, int]] = []
        day = last_move
        for index in range(stage, first, -1):
            moves.append((day, index))
            day -= rng.randint(4, 35 if plant else 25) * DAY
        moves.reverse()
        created = moves[0][0] - rng.randint(2, 25) * DAY if moves else last_move
        if outcome == "open":
            expected = self.today + rng.randint(-10, 180 - stage * 25) * DAY
        else:
            expected = (close or last_move) + rng.randint(-20, 30) * DAY
        total = self.total(lines)
        amount = (total * D(rng.choice(["0.9", "1", "1", "1.1", "1.2"])) / 1000).quantize(D(1))
        rivals = PLANT_RIVALS if plant else VEHICLE_RIVALS
        competitors = rng.sample(rivals, rng.randint(0, 2))
        template = rng.choice(PLANT_PROJECTS if plant else VEHICLE_PROJECTS)
        name = template.format(p=main.name.split("（")[0], year=created.year)
        if plant:
            project_type = "EQUIPMENT"
        else:
            project_type = "NEW" if "配套" in name or "定点" in name else "REPLACE"
        source = rng.choice(self.sources) if self.sources else None
        notes = rng.choice(OPP_NOTES)
        state: dict[str, Any] = {}

        def create() -> None:
            state["opp"] = opps.opportunity_create(
                actor=owner,
                customer=customer,
                owner=owner,
                name=name,
                project_type=self.project_types.get(project_type),
                stage=self.stages[first],
                amount=amount * 1000,
                expected_close_date=expected,
                source=source,
                competitors=[self.competitors[n] for n in competitors],
                notes=notes,
            )

        steps = [_Step(created, 0, create)]
        for day, index in moves:
            steps.append(
                _Step(
                    day,
                    1,
                    lambda i=index: opps.opportunity_move(
                        actor=owner, opportunity=state["opp"], stage=self.stages[i]
                    ),
                )
            )
        if outcome == "won":
            note = rng.choice(["", "客户已发中标通知。"])
            steps.append(
                _Step(
                    close,
                    20,
                    lambda: opps.opportunity_win(actor=owner, opportunity=state["opp"], note=note),
                )
            )
        elif outcome == "lost":
            reason = rng.choice(self.reasons)
            note = LOST_NOTES.get(reason.code, "").format(rival=rng.choice(rivals))
            steps.append(
                _Step(
                    close,
                    20,
                    lambda: opps.opportunity_lose(
                        actor=owner, opportunity=state["opp"], reason=reason, note=note
                    ),
                )
            )
        # Work on the opportunity while it ran; for an open one, what is planned next.
        end = close or self.last_day
        for _ in range(rng.choice([0, 0, 1])):
            day = created + rng.randint(0, max(0, (end - created).days)) * DAY
            steps += self.task(customer, owner, day, state=state, not_before=created)
        if outcome == "open":
            roll = rng.random()
            if roll < 0.45:
                day = self.today + rng.randint(0, 30) * DAY
                steps += self.task(customer, owner, day, state=state, not_before=created)
            elif roll < 0.57:
                day = max(created, self.days_ago(0, 14))
                steps += self.task(
                    customer, owner, day, state=state, not_before=created, done=False
                )
        return state, steps

    def task(
        self,
        customer: Customer,
        person: User,
        day: datetime.date,
        *,
        state: dict | None = None,
        not_before: datetime.date | None = None,
        done: bool | None = None,
        texts: tuple[str, str] | None = None,
    ) -> list[_Step]:
        """Plan a task on `day`: done (with its result) if it lies in the past, unless
        `done` is False (then it is overdue); planned if it lies ahead."""
        rng = self.rng
        method = rng.choices(*TASK_METHODS)[0]
        purpose, result = texts or rng.choice(TASKS[method])
        if texts:
            method = "VISIT"
        if done is None:
            done = day <= self.last_day
        entered = day - rng.randint(0, 7) * DAY
        entered = min(max(entered, not_before or entered), self.last_day)
        location = {
            "VISIT": customer.address,
            "MEETING": rng.choice(["客户会议室", "公司三楼会议室"]),
            "EXHIBITION": rng.choice(["上海国家会展中心", "北京中国国际展览中心"]),
        }.get(method, "")
        hour, minute = rng.choice(TASK_TIMES)
        holder: dict[str, Task] = {}

        def create() -> None:
            holder["task"] = task_create(
                actor=person,
                customer=customer,
                opportunity=state.get("opp") if state is not None else None,
                salesperson=person,
                date=day,
                time=datetime.time(hour, minute),
                work_method=self.methods.get(method),
                purpose=purpose,
                location=location[:255],
            )

        steps = [_Step(entered, 2, create)]
        if done:
            steps.append(
                _Step(
                    max(day, entered),
                    3,
                    lambda: task_complete(actor=person, task=holder["task"], result=result),
                )
            )
        return steps

    # --- contracts -----------------------------------------------------------------------

    def deal(
        self,
        customer: Customer,
        status: str,
        *,
        with_opportunity: bool = True,
        signed_ago: tuple[int, int] | None = None,
    ) -> None:
        """Plan a contract that ends in `status`, usually from a won opportunity, with its
        approval, execution, payments and the tasks around it. With `signed_ago` (days), it
        is signed then and part of it is still owed."""
        rng, days_ago = self.rng, self.days_ago
        seller = customer.owner
        head = self.head_of(seller)
        at_least = self.rules.approval_threshold if status in (S.PENDING, S.REJECTED) else None
        lines = self.lines(customer, at_least=at_least)
        approval = cs.needs_approval(self.total(lines), self.rules)
        signed = start = complete = terminate = approve = submit = reject = created = None
        if status == S.COMPLETED:
            signed = days_ago(*(signed_ago or (90, 715)))
            start = signed + rng.randint(0, 10) * DAY
            complete = min(start + rng.randint(30, 240) * DAY, self.last_day)
        elif status == S.EXECUTING:
            signed = days_ago(*(signed_ago or (3, 330)))
            start = min(signed + rng.randint(0, 10) * DAY, self.last_day)
        elif status == S.TERMINATED:
            signed = days_ago(40, 700)
            if rng.random() < 0.6:
                start = signed + rng.randint(0, 10) * DAY
                terminate = min(start + rng.randint(15, 150) * DAY, self.last_day)
            else:
                terminate = min(signed + rng.randint(5, 40) * DAY, self.last_day)
        elif status == S.APPROVED:
            signed = days_ago(0, 20)
        if signed is not None:
            approve = signed - rng.randint(0, 3) * DAY if approval else None
            submit = (approve or signed) - rng.randint(0, 3) * DAY
        elif status == S.PENDING:
            submit = days_ago(0, 12)
        elif status == S.REJECTED:
            reject = days_ago(1, 45)
            submit = reject - rng.randint(0, 3) * DAY
        else:
            created = days_ago(0, 30)
        first_submit = submit
        reject_first = (
            approve is not None
            and (self.counts["reject_first"] == 0 or rng.random() < 0.15)
            and submit is not None
        )
        if reject_first:
            self.counts["reject_first"] += 1
            early_reject = submit - rng.randint(0, 4) * DAY
            first_submit = early_reject - rng.randint(0, 3) * DAY
        if created is None:
            created = first_submit - rng.randint(1, 10) * DAY
        planned_signing = signed
        if status == S.PENDING or (status == S.DRAFT and rng.random() < 0.5):
            planned_signing = (submit or created) + rng.randint(3, 20) * DAY

        better = lines
        state: dict[str, Any] = {}
        steps: list[_Step] = []
        won = created - rng.randint(0, 5) * DAY
        if with_opportunity:
            state, steps = self.opportunity(
                customer,
                stage=rng.choice([len(self.stages) - 2, len(self.stages) - 1]),
                outcome="won",
                last_move=won - rng.randint(1, 20) * DAY,
                close=won,
                lines=lines,
            )
        terms = rng.choice(TERMS)
        first_comment, comment = rng.choice(REJECT_COMMENTS), rng.choice(APPROVE_COMMENTS)
        if reject is not None:
            comment = rng.choice(REJECT_COMMENTS)
        terminator, reason = rng.choice([seller, head]), rng.choice(TERMINATE_COMMENTS)

        def create() -> None:
            fields = {
                "actor": seller,
                "lines": lines,
                "signed_on": planned_signing,
                "notes": terms,
            }
            if state.get("opp") is not None:
                contract = cs.contract_from_opportunity(opportunity=state["opp"], **fields)
            else:
                contract = cs.contract_create(customer=customer, title=self.title(lines), **fields)
            state["contract"] = self.renumber(contract, created)

        steps.append(_Step(created, 30, create))
        if reject_first:
            better = [{**x, "unit_price": x["product"].list_price} for x in lines]
            steps += [
                _Step(
                    first_submit,
                    31,
                    lambda: cs.contract_submit(actor=seller, contract=state["contract"]),
                ),
                _Step(
                    early_reject,
                    32,
                    lambda: cs.contract_reject(
                        actor=head, contract=state["contract"], comment=first_comment
                    ),
                ),
                _Step(
                    early_reject,
                    33,
                    lambda: cs.contract_update(
                        actor=seller, contract=state["contract"], lines=better
                    ),
                ),
            ]
        if submit is not None:
            steps.append(
                _Step(
                    submit, 34, lambda: cs.contract_submit(actor=seller, contract=state["contract"])
                )
            )
        if approve is not None:
            steps.append(
                _Step(
                    approve,
                    35,
                    lambda: cs.contract_approve(
                        actor=head, contract=state["contract"], comment=comment
                    ),
                )
            )
        if reject is not None:
            steps.append(
                _Step(
                    reject,
                    35,
                    lambda: cs.contract_reject(
                        actor=head, contract=state["contract"], comment=comment
                    ),
                )
            )
        if start is not None:
            steps.append(_Step(start, 50, lambda: self.start(seller, state["contract"], start)))
            after = start + rng.randint(15, 90) * DAY
            if after <= self.last_day and rng.random() < 0.3:
                steps += self.task(customer, seller, after, not_before=start, texts=AFTER_SALE)
        if complete is not None:
            steps.append(
                _Step(complete, 70, lambda: self.complete(seller, state["contract"], complete))
            )
        if terminate is not None:
            steps.append(
                _Step(
                    terminate,
                    90,
                    lambda: cs.contract_terminate(
                        actor=terminator, contract=state["contract"], comment=reason
                    ),
                )
            )
        if signed is not None:
            total = self.total(better)
            dates = (signed, start, complete, terminate)
            steps += self.payments(state, seller, status, total, *dates, owed=bool(signed_ago))
        self.schedule(steps, customer)

    @staticmethod
    def title(lines: list[dict]) -> str:
        return "、".join(x["product"].name for x in lines)[:180] + "采购合同"

    def renumber(self, contract: Contract, created: datetime.date) -> Contract:
        """The service numbers a contract by today's date; give it the number it would have
        had on the day it was entered, and give today's counter its number back."""
        taken = contract.number
        Contract.objects.filter(pk=contract.pk).update(number=f"DEMO-{contract.pk}")
        NumberSequence.objects.filter(key=self.sequence_key(self.today), last__gt=0).update(
            last=F("last") - 1
        )
        number = cs.next_contract_number(when=created)
        contract.number = number
        contract.search_text = contract_text_now(contract)  # found by its number
        Contract.objects.filter(pk=contract.pk).update(
            number=number, search_text=contract.search_text
        )
        ct = ContentType.objects.get_for_model(Contract)
        for entry in AuditLog.objects.filter(content_type=ct, object_id=contract.pk):
            entry.object_repr = number
            entry.changes = [
                {**c, "new": number} if c.get("new") == taken else c for c in entry.changes
            ]
            entry.save(update_fields=["object_repr", "changes"])
        return contract

    def sequence_key(self, day: datetime.date) -> str:
        """The counter key `next_contract_number` uses for `day`."""
        return cs.contract_sequence_key(self.rules.contract_number_pattern, day)

    def _set_date(self, contract: Contract, name: str, day: datetime.date) -> None:
        """The service dated the transition today; date it (and its history entry) `day`."""
        Contract.objects.filter(pk=contract.pk).update(**{name: day})
        ct = ContentType.objects.get_for_model(Contract)
        since = self.clock.real[-1]
        for entry in AuditLog.objects.filter(content_type=ct, object_id=contract.pk, at__gte=since):
            entry.changes = [
                {**c, "new": str(day)} if c.get("field") == name else c for c in entry.changes
            ]
            entry.save(update_fields=["changes"])

    def start(self, seller: User, contract: Contract, day: datetime.date) -> None:
        cs.contract_start(actor=seller, contract=contract)
        self._set_date(contract, "started_on", day)

    def complete(self, seller: User, contract: Contract, day: datetime.date) -> None:
        cs.contract_complete(actor=seller, contract=contract)
        self._set_date(contract, "completed_on", day)

    def payments(
        self, state, seller, status, total, signed, start, complete, terminate, *, owed=False
    ) -> list[_Step]:
        """Instalments: 30% advance, 60% on delivery, the rest after completion (or all at
        once for a small contract). Some are still owed, some never came."""
        rng = self.rng
        roll = rng.random()
        if total < 30000:
            due = (start or signed) + rng.randint(30, 90) * DAY
            plan = [(D(1), due, "全款")]
        else:
            plan = [
                (D("0.3"), signed + rng.randint(3, 15) * DAY, "预付款"),
                (D("0.6"), (start or signed) + rng.randint(20, 60) * DAY, "到货款"),
                (D("0.1"), complete + rng.randint(10, 60) * DAY if complete else None, "尾款"),
            ]
        if status == S.COMPLETED:
            if roll < 0.07:
                plan = []  # disputed: nothing received yet
            elif roll < 0.25 and len(plan) > 1:
                plan = plan[:2]  # the retention is still owed
        elif status == S.EXECUTING:
            plan = [] if roll < 0.2 else [p for p in plan if p[2] != "尾款"]
        elif status in (S.APPROVED, S.TERMINATED):
            plan = plan[:1] if roll < 0.5 and len(plan) > 1 else []
        if owed:
            plan = plan[:-1]
        steps, paid = [], D("0.00")
        for index, (share, day, note) in enumerate(plan):
            if day is None or day > self.last_day or (terminate and day > terminate):
                break
            last = index == len(plan) - 1 and status == S.COMPLETED
            amount = total - paid if last else (total * share).quantize(CENT)
            amount = min(amount, total - paid)
            if amount <= 0:
                break
            paid += amount
            if start is None or day < start:
                phase = 40
            elif complete is None or day < complete:
                phase = 60
            else:
                phase = 80
            methods, weights = ["transfer", "acceptance", "cheque", "cash"], [70, 20, 5, 5]
            if amount < 20000:
                weights = [80, 0, 5, 15]
            method = rng.choices(methods, weights)[0]
            if method == PaymentMethod.ACCEPTANCE:
                note += "（银行承兑汇票，6个月）"
            actor = self.users["clerk"] if rng.random() < 0.7 else seller
            steps.append(
                _Step(
                    day,
                    phase,
                    lambda d=day, a=amount, m=method, n=note, who=actor: payment_create(
                        actor=who,
                        contract=state["contract"],
                        date=d,
                        amount=a,
                        method=m,
                        note=n,
                    ),
                )
            )
        return steps

    # --- direct sales records ----------------------------------------------------------------

    def direct_records(self, customers: list[Customer]) -> None:
        """Sales entered by hand: history from before contracts were kept here, and small
        spare-part orders; at least one in each of the last 24 months."""
        if not customers:
            return
        rng = self.rng
        clerk = self.users["clerk"]
        earliest = self.today - 720 * DAY
        per_month = 1 + len(customers) // 60
        for back in range(24):
            year, month = self.today.year, self.today.month - back
            while month < 1:
                year, month = year - 1, month + 12
            first = max(datetime.date(year, month, 1), earliest)
            following = datetime.date(year + month // 12, month % 12 + 1, 1)
            last = min(following - DAY, self.last_day)
            if last < first:
                continue
            for _ in range(rng.randint(1, per_month)):
                customer = rng.choice(customers)
                day = first + rng.randint(0, (last - first).days) * DAY
                pool = self.pool(customer, retired_before=day)
                product = rng.choice(pool)
                quantity = max(D(1), (self.quantity(product.list_price) / 5).quantize(D(1)))
                old = back >= 12
                price = self.price(product)
                entered = min(day + rng.randint(0, 5) * DAY, self.last_day)
                self.schedule(
                    [
                        _Step(
                            entered,
                            0,
                            lambda c=customer, p=product, d=day, q=quantity, u=price, o=old: (
                                sales_record_create(
                                    actor=clerk,
                                    customer=c,
                                    product=p,
                                    salesperson=c.owner,
                                    date=d,
                                    quantity=q,
                                    unit_price=u,
                                    notes="历史数据补录" if o else "零星配件采购",
                                )
                            ),
                        )
                    ],
                    customer,
                )

    # --- the whole plan ------------------------------------------------------------------

    def plan(self, customers: list[Customer]) -> None:
        rng = self.rng
        reviewed = [c for c in customers if c.review_status == "approved"]
        live = [c for c in reviewed if c.status != CustomerStatus.LOST]
        lost = [c for c in reviewed if c.status == CustomerStatus.LOST]
        buyers: list[Customer] = []
        cycle = [S.PENDING, S.REJECTED, S.DRAFT, S.APPROVED, S.TERMINATED, S.PENDING, S.APPROVED]
        # Money owed at every age of the receivables report (approved contracts, signed in
        # the last weeks, give the youngest).
        ages = [(35, 85), (95, 175), (190, 330), (400, 700)]
        for index, customer in enumerate(live):
            buyer = index < 2 or (index >= 4 and rng.random() < 0.45)
            if buyer:
                buyers.append(customer)
                count = 1 + (rng.random() < 0.35) + (rng.random() < 0.08)
                for n in range(count):
                    status = S.COMPLETED if (rng.random() < 0.6 or n > 0) else S.EXECUTING
                    if n == 0 and index < 2:
                        status = (S.COMPLETED, S.EXECUTING)[index]
                    self.deal(
                        customer,
                        status,
                        with_opportunity=rng.random() > 0.15,
                        signed_ago=ages.pop(0) if ages else None,
                    )
                if rng.random() < 0.12:
                    self.deal(customer, S.TERMINATED)
                if rng.random() < 0.1:
                    self.deal(customer, rng.choice([S.PENDING, S.DRAFT, S.APPROVED]))
            else:
                if self.counts["contract_cycle"] < len(cycle) or rng.random() < 0.25:
                    status = cycle[self.counts["contract_cycle"] % len(cycle)]
                    self.counts["contract_cycle"] += 1
                    self.deal(customer, status)
                if self.counts["won_waiting"] == 0 or rng.random() < 0.08:
                    # Won in the last days; the contract is not drafted yet.
                    self.counts["won_waiting"] += 1
                    _state, steps = self.opportunity(
                        customer,
                        stage=len(self.stages) - 1,
                        outcome="won",
                        last_move=self.days_ago(6, 20),
                        close=self.days_ago(0, 5),
                    )
                    self.schedule(steps, customer)
            for _ in range(rng.choices([0, 1, 2], [55, 38, 7])[0]):
                self.open_opportunity(customer)
            if self.counts["lost"] < 2 or rng.random() < 0.2:
                self.lost_opportunity(customer)
            steps: list[_Step] = []
            if rng.random() < 0.25:
                steps += self.task(customer, customer.owner, self.days_ago(0, 700))
            self.schedule(steps, customer)
        for customer in lost:
            self.lost_opportunity(customer)
        self.upcoming_tasks(live)
        self.direct_records(buyers or live)

    def open_opportunity(self, customer: Customer) -> None:
        n = self.counts["open"]
        self.counts["open"] += 1
        if n < len(self.stages):
            stage = n
        else:
            weights = [max(1, 30 - 5 * i) for i in range(len(self.stages))]
            stage = self.rng.choices(range(len(self.stages)), weights)[0]
        _state, steps = self.opportunity(
            customer, stage=stage, outcome="open", last_move=self.days_ago(0, 60)
        )
        self.schedule(steps, customer)

    def lost_opportunity(self, customer: Customer) -> None:
        self.counts["lost"] += 1
        close = self.days_ago(5, 700)
        _state, steps = self.opportunity(
            customer,
            stage=self.rng.randint(0, len(self.stages) - 1),
            outcome="lost",
            last_move=close - self.rng.randint(1, 30) * DAY,
            close=close,
        )
        self.schedule(steps, customer)

    def upcoming_tasks(self, customers: list[Customer]) -> None:
        """A few visits and calls today and this week for each demo seller and manager, so
        that "my tasks" has something to show on the first login."""
        if not customers:
            return
        for username in ("sales1", "sales2", "manager", "manager2"):
            person = self.users[username]
            mine = [c for c in customers if c.owner_id == person.pk] or [
                c for c in customers if self.head_of(c.owner).pk == person.pk
            ]
            if not mine:
                continue
            for offset in (0, 0, 1, 3, 5):
                customer = self.rng.choice(mine)
                steps = self.task(customer, person, self.today + offset * DAY)
                self.schedule(steps, customer)

    # --- backdating ----------------------------------------------------------------------

    def backdate_organisation(self, customers: list[Customer]) -> None:
        """The demo organisation was set up about three years ago; each customer was
        entered some weeks before the first thing that happened with it (those waiting for
        review were entered in the last weeks)."""
        rng = self.rng
        org_start = self.moment(self.today - 1200 * DAY, 9 * 60)
        moments: dict[int, datetime.datetime] = {}
        reviews: dict[int, datetime.datetime] = {}
        for customer in customers:
            if customer.review_status == "pending":
                day = self.days_ago(1, 20)
            elif customer.pk in self.first_day:
                day = self.first_day[customer.pk] - rng.randint(10, 120) * DAY
            else:
                day = self.days_ago(30, 900)
            day = max(day, org_start.date() + 7 * DAY)
            if customer.pk in self.first_day:
                day = min(day, self.first_day[customer.pk] - DAY)
            moments[customer.pk] = self.moment(day, rng.randint(9 * 60, 17 * 60))
            if customer.review_status == "rejected":
                reviews[customer.pk] = moments[customer.pk] + rng.randint(1, 3) * DAY
        rows = []
        for customer in customers:
            entered = moments[customer.pk]
            reviewed = reviews.get(customer.pk, entered) if customer.reviewed_at else None
            rows.append((customer.pk, [entered, reviewed or entered, reviewed]))
        _write(Customer, ["created_at", "updated_at", "reviewed_at"], rows)
        contacts = Contact.objects.filter(customer__in=customers).values_list("pk", "customer")
        rows = []
        for index, (pk, customer_id) in enumerate(contacts):
            entered = moments[customer_id] + datetime.timedelta(minutes=5 + index % 7)
            rows.append((pk, [entered, entered]))
        _write(Contact, ["created_at", "updated_at"], rows)
        customer_ct = ContentType.objects.get_for_model(Customer)
        rows = []
        older = AuditLog.objects.filter(at__lt=self.clock.start).values_list(
            "pk", "content_type", "object_id", "parent_type", "parent_id", "action"
        )
        for pk, content_type, object_id, parent_type, parent_id, action in older:
            if content_type == customer_ct.pk and object_id in moments:
                at = reviews.get(object_id) if action == "review" else None
                rows.append((pk, [at or moments[object_id]]))
            elif parent_type == customer_ct.pk and parent_id in moments:
                rows.append((pk, [moments[parent_id] + datetime.timedelta(minutes=5)]))
            else:
                rows.append((pk, [org_start]))
        _write(AuditLog, ["at"], rows)
        User.objects.update(date_joined=org_start, created_at=org_start, updated_at=org_start)
        Department.objects.update(created_at=org_start, updated_at=org_start)

    def remap(self) -> None:
        """Move every timestamp written during an event to the event's invented moment."""
        start = self.clock.start
        for model in (
            Product,
            Opportunity,
            StageChange,
            Task,
            Contract,
            ApprovalDecision,
            SalesRecord,
            Payment,
            SalesSettings,
            Customer,
        ):
            names = [
                f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
            ]
            recent = reduce(or_, (Q(**{f"{name}__gte": start}) for name in names))
            rows = [
                (pk, [self.clock.map(value) for value in values])
                for pk, *values in model._base_manager.filter(recent).values_list("pk", *names)
            ]
            _write(model, names, rows)
        self.remap_history()

    def remap_history(self) -> None:
        """History entries: their time, and moments recorded among their changes (a task's
        "done at", an opportunity's "closed at")."""
        moments, changed = [], []
        recent = AuditLog.objects.filter(at__gte=self.clock.start)
        for pk, at, changes in recent.values_list("pk", "at", "changes"):
            moments.append((pk, [self.clock.map(at)]))
            new = [{**c, "old": self.map_text(c.get("old")), "new": self.map_text(c.get("new"))}
                   for c in changes or []]  # fmt: skip
            if new != changes:
                changed.append((pk, [new]))
        _write(AuditLog, ["at"], moments)
        _write(AuditLog, ["changes"], changed)

    def map_text(self, value: Any) -> Any:
        return self.clock.map_text(value)


def _write(model: type[models.Model], names: list[str], rows: list[tuple[Any, list]]) -> None:
    """Set `names` on many rows with one UPDATE statement run over all of them: bulk_update's
    CASE expressions take seconds for the thousands of rows the demo moves in time."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # Identifiers from model metadata only, values as parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(value, connection) for f, value in zip(fields, values, strict=True)]
        + [pk]
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def load_sales_demo(*, seed: int, users: dict[str, User]) -> dict[str, int]:
    """Add the sales demo to the freshly loaded demo customers (inside their transaction)."""
    demo = _Demo(seed=seed, users=users)
    customers = list(Customer.objects.select_related("owner", "industry").order_by("pk"))
    demo.create_products()
    demo.create_competitors()
    demo.plan(customers)
    demo.backdate_organisation(customers)
    demo.run()
    demo.remap()
    # The rule in services.contracts: active with an executing or completed contract,
    # otherwise a prospect (a customer marked lost stays lost). The services kept it; this
    # only makes sure.
    live = Contract.objects.filter(status__in=ACTIVE_CUSTOMER_STATUSES).values("customer")
    admin = users["admin"]
    for customer in Customer.objects.filter(
        Q(pk__in=live) & ~Q(status=CustomerStatus.ACTIVE)
        | ~Q(pk__in=live) & Q(status=CustomerStatus.ACTIVE)
    ):
        cs.refresh_customer_status(actor=admin, customer=customer)
    return {
        "products": Product.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "tasks": Task.objects.count(),
        "contracts": Contract.objects.count(),
        "sales_records": SalesRecord.objects.count(),
        "payments": Payment.objects.count(),
    }
