"""Demo customer service, care and market data (issue 4), on top of the sales demo:
interaction feedback over two years, service requests of every type in every status (some
late, some open today), satisfaction scores, the care actions the scheduler made over the last
year and what the owners did with them, a few customers marked lost and win-back attempts,
competitors and industry news.

Like the sales demo (guanxi.sales.demo) it writes through the services and backdates: each
event is planned at an invented moment, the events run in that order under a `_Clock`, and
every timestamp written during an event is then moved to the event's moment. Nothing happens
on the day of the load; at the end the scheduled work runs as of now, as the scheduler would,
so reminders and today's care actions are there on the first login.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.common import clock
from guanxi.common.models import AuditAction, AuditLog
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import customer_mark_lost
from guanxi.market.models import Competitor, IndustryNews
from guanxi.market.services import competitor_create, competitor_update, news_create
from guanxi.notifications.models import Notification
from guanxi.reference import models as ref
from guanxi.reference.models import Holiday
from guanxi.sales.demo import (
    CATEGORIES,
    DAY,
    PLANT,
    PLANT_RIVALS,
    VEHICLE,
    VEHICLE_RIVALS,
    _Clock,
    _Event,
    _write,
)
from guanxi.sales.enums import ACTIVE_CUSTOMER_STATUSES, ContractStatus, OpportunityStatus
from guanxi.sales.models import Contract, NumberSequence, Opportunity, Product

from .enums import OPEN_STATUSES, CareKind, CareStatus, Priority, SlaState
from .models import CareAction, Feedback, ServiceRequest
from .scheduled import generate_follow_ups, run_scheduled
from .selectors import churn_queryset, service_settings
from .services.care import care_done, care_skip, win_back_create
from .services.feedback import feedback_create
from .services.requests import (
    due_times,
    request_assign,
    request_close,
    request_create,
    request_reopen,
    request_resolve,
    request_start,
)

S = ContractStatus

# --- interaction feedback: work method code → texts ------------------------------------------

FEEDBACK = {
    "PHONE": [
        "电话回访{p}使用情况，客户反映整体稳定，希望下季度价格维持不变。",
        "采购经理来电询问{p}的交货周期，告知常规库存品7天内可发货。",
        "客户来电反映上批{p}外包装有破损，已安排补发，并提醒物流加强防护。",
        "与客户财务电话核对本季度对账单，双方金额一致，约定月底前付款。",
        "客户电话告知明年计划新增一条生产线，预计需要{p}，请我方提前准备方案。",
        "电话沟通年度框架协议续签事宜，客户希望单价再降{n}%，已回复需内部评估。",
        "客户来电询问{r}同类产品的价格，我方说明了质量稳定性和售后响应优势。",
        "电话确认下月排产计划，客户{p}需求量比上月增加约{n}%。",
        "客户采购经理更换，电话联系新任经理，约定下周上门拜访。",
    ],
    "VISIT": [
        "上门拜访采购部，客户今年产量预计增长约{n}%，{p}用量随之增加。",
        "拜访技术部，客户对{p}的台架耐久试验结果满意，计划扩大采购比例。",
        "走访生产现场，发现客户仍在使用{r}的同类产品，可作为替代切入点。",
        "拜访总经理，客户认可我方交付及时性，提出希望建立寄售库存。",
        "到客户仓库了解{p}库存情况，建议客户按月滚动下单，减少断货风险。",
        "陪同技术工程师到现场解决装配问题，客户质量部签字确认。",
        "拜访客户新任质量经理，介绍我方质量体系和追溯流程，对方反馈良好。",
        "上门送样{p}，客户安排下周装机试验。",
    ],
    "WECHAT": [
        "微信沟通{p}样品测试进度，客户预计两周内给出结果。",
        "客户微信发来新图纸，要求调整{p}的安装尺寸，已转技术部评估。",
        "通过微信发送最新价格表和产品目录，客户表示会内部比价后回复。",
        "客户采购在微信上询问节后发货安排，已确认正常发货。",
        "微信收到客户对上批{p}的质量反馈：外观和尺寸均合格。",
    ],
    "EMAIL": [
        "邮件收到客户年度供应商评估结果，我方综合得分86分，交付项得分偏低。",
        "邮件发送{p}的质量证明文件和检测报告，客户已确认收到。",
        "客户邮件提出付款周期由60天延长至90天，已转财务评估。",
        "收到客户下季度需求预测邮件，{p}预计用量与本季度持平。",
    ],
    "MEETING": [
        "参加客户年度供应商大会，客户公布明年采购降本目标为{n}%。",
        "与客户技术、质量部门召开质量改进会议，确定{p}的改进措施和时间表。",
        "客户来公司考察生产线和质检流程，对我方质量管理体系评价较好。",
        "与客户召开项目启动会，明确{p}的交付节点和验收标准。",
    ],
    "EXHIBITION": [
        "在展会上接待客户采购团队，介绍新款{p}，客户索取了样品。",
        "展会期间与客户交流，得知{r}正在大力推广同类产品，价格较低。",
    ],
}

FEEDBACK_SERVICE = [
    "服务回访：客户对上次维修服务满意，建议我方在当地增加备件库存。",
    "服务回访：客户反映{p}运行正常，操作人员已掌握日常点检方法。",
    "服务回访：客户希望售后工程师每季度上门巡检一次。",
    "服务回访：客户对投诉处理结果基本认可，但希望今后提前通知发货变更。",
]

FEEDBACK_RESEARCH = [
    "市场调研走访：客户所在园区新进入两家整车配套企业，{p}需求有增长空间。",
    "调研了解到客户今年在{r}处的采购比例有所下降，对国产替代持开放态度。",
    "行业调研座谈：客户关注原材料价格走势，希望供应商提供季度锁价方案。",
    "调研走访：客户计划明年上马自动化产线，设备投资预算约{n}百万元。",
]

CHANNEL_WEIGHTS = (
    [
        "PHONE",
        "VISIT",
        "WECHAT",
        "EMAIL",
        "MEETING",
        "EXHIBITION",
    ],
    [
        34,
        26,
        20,
        8,
        8,
        4,
    ],
)

# --- service requests ---------------------------------------------------------------------
# (applies to: A any product, V vehicle parts, P plant; subject, description, resolution)

REQUESTS = {
    "CONSULT": [
        (
            "A",
            "咨询{p}的技术参数与选型",
            "客户计划采购{p}，询问适配工况、技术参数和认证情况。",
            "已发送产品技术资料和选型建议，转业务员跟进报价。",
        ),
        (
            "A",
            "询问{p}的供货周期和起订量",
            "客户询问{p}的常规交货期、最小起订量及批量价格。",
            "已答复：常规品7天内发货，起订量按包装单位；批量价格由业务员另行报价。",
        ),
        (
            "V",
            "咨询{p}能否替代现用品牌",
            "客户目前使用{r}的产品，想了解我方{p}能否直接替换。",
            "技术部确认安装尺寸兼容，已寄送样品供客户装车试验。",
        ),
        (
            "P",
            "咨询{p}安装场地和配套要求",
            "客户准备采购{p}，询问地基、电源和气源等配套要求。",
            "已发送设备安装基础图和配套要求清单，约定到现场勘察。",
        ),
        (
            "P",
            "申请{p}试加工",
            "客户希望用自己的工件在{p}上试加工，验证节拍和精度。",
            "已在公司展厅完成试加工，节拍和精度满足客户要求，报告已发送。",
        ),
    ],
    "IN_SALE": [
        (
            "A",
            "合同{contract}交货进度查询",
            "客户询问合同{contract}项下{p}的生产和发货进度。",
            "已与生产计划确认，货物本周内分两批发出，物流单号已告知客户。",
        ),
        (
            "A",
            "要求变更{p}的收货地址",
            "客户新仓库启用，要求合同{contract}后续批次送往新地址。",
            "已更新收货信息，并通知物流按新地址配送。",
        ),
        (
            "A",
            "申请开具增值税专用发票",
            "客户财务要求按合同{contract}已到货部分开具增值税专用发票。",
            "财务已开具发票并快递寄出，客户确认收到。",
        ),
        (
            "P",
            "{p}到货后安装调试预约",
            "{p}已到货，客户要求安排工程师上门安装调试。",
            "工程师已完成安装调试和操作培训，客户签署验收单。",
        ),
        (
            "V",
            "要求提供{p}的PPAP文件",
            "客户质量部要求提供{p}的生产件批准（PPAP）文件。",
            "质量部已整理并发送PPAP文件包，客户审核通过。",
        ),
    ],
    "MAINTENANCE": [
        (
            "P",
            "{p}年度保养",
            "客户的{p}已运行满一年，申请年度保养。",
            "完成导轨润滑、精度检测和滤芯更换，出具保养报告。",
        ),
        (
            "P",
            "{p}更换液压油",
            "按保养计划更换{p}的液压油和滤芯。",
            "已更换液压油及回油滤芯，系统压力测试正常。",
        ),
        (
            "P",
            "设备精度校准",
            "客户反映加工件尺寸波动，申请对{p}做精度校准。",
            "用激光干涉仪检测后完成反向间隙补偿，精度恢复至出厂标准。",
        ),
        (
            "A",
            "{p}日常保养培训",
            "客户新员工较多，申请{p}的日常保养和点检培训。",
            "已上门培训两场，并提供保养点检表。",
        ),
        (
            "V",
            "车队{p}定期检查",
            "客户车队申请对在用{p}进行定期检查。",
            "完成{n}台车的检查，更换磨损件并出具检查报告。",
        ),
    ],
    "REPAIR": [
        (
            "P",
            "{p}开机报警无法启动",
            "客户反映{p}开机报警，无法正常启动，影响生产。",
            "检测为伺服驱动器故障，更换驱动器后设备恢复运行。",
        ),
        (
            "A",
            "{p}漏油需维修",
            "客户反映{p}密封处漏油。",
            "更换油封和O形圈，试机无泄漏。",
        ),
        (
            "A",
            "{p}损坏返修",
            "客户退回损坏的{p}两件，要求维修或更换。",
            "检测为安装不当造成的损伤，按保内政策免费维修并寄回，附安装指导。",
        ),
        (
            "V",
            "{p}装车后异常磨损",
            "客户反映部分车辆的{p}装车后磨损偏快。",
            "现场检查为配套件不匹配，已更换并给出选型建议。",
        ),
        (
            "P",
            "{p}主轴异常发热",
            "客户反映{p}主轴运行半小时后温度过高。",
            "清洗润滑系统并更换主轴轴承，温升恢复正常。",
        ),
        (
            "A",
            "{p}电气故障",
            "客户反映{p}间歇性报警断电。",
            "查明为接线端子松动，重新压接并做好防松处理。",
        ),
    ],
}

# complaint category code → templates
COMPLAINTS = {
    "QUALITY": [
        (
            "V",
            "{p}使用中出现异响",
            "客户反映装车后{p}出现异响，影响整车下线检验。",
            "工程师现场检查为装配间隙偏差，已更换合格品并提供装配指导书。",
        ),
        (
            "A",
            "{p}批次尺寸超差",
            "来料检验发现本批{p}关键尺寸超差，客户要求退换货。",
            "已召回该批次并补发合格品；质量部完成8D报告并加严出厂检验。",
        ),
        (
            "A",
            "{p}早期损坏",
            "客户反映{p}使用不足三个月即出现明显损坏。",
            "分析确认为工况超出设计范围，免费更换为加强型号。",
        ),
        (
            "P",
            "{p}液压系统漏油",
            "客户反映新购{p}的液压管路接头漏油。",
            "更换密封件并紧固管路，跟踪运行一周无泄漏。",
        ),
    ],
    "DELIVERY": [
        (
            "A",
            "合同{contract}交货延误",
            "约定交货期已过，{p}仍未到货，影响客户生产计划。",
            "协调加急生产，三天内分批发货，并按合同约定给予延期补偿。",
        ),
        (
            "A",
            "到货数量与装箱单不符",
            "客户收货时发现{p}少发两箱。",
            "核实为仓库漏发，已当日补发并向客户致歉。",
        ),
    ],
    "SERVICE": [
        (
            "A",
            "售后工程师未按约定时间到场",
            "客户反映预约的工程师迟到半天且未提前通知。",
            "已向客户致歉，调整派工流程，要求工程师提前一天确认行程。",
        ),
        (
            "A",
            "客服热线多次无人接听",
            "客户反映周末拨打客服热线无人接听。",
            "已增加周末值班，客户经理上门沟通致歉。",
        ),
    ],
    "PRICE": [
        (
            "A",
            "发票单价与合同{contract}不一致",
            "客户财务发现发票单价与合同{contract}约定价格不符。",
            "核实为开票错误，已红冲并重新开具正确发票。",
        ),
        (
            "A",
            "对{p}调价通知有异议",
            "客户不认可原材料上涨导致的{p}调价。",
            "与客户协商分阶段调价，首季度维持原价。",
        ),
    ],
}

COMPLAINT_WEIGHTS = (
    [
        "QUALITY",
        "DELIVERY",
        "SERVICE",
        "PRICE",
    ],
    [
        45,
        25,
        15,
        15,
    ],
)

REOPEN_REASONS = [
    "客户反馈问题再次出现。",
    "更换后仍有异响，需要再次处理。",
    "客户对处理结果有异议，要求重新处理。",
    "复查发现同批次还有问题件。",
]

SATISFACTION_COMMENTS = {
    5: [
        "处理及时，非常满意。",
        "工程师专业负责，问题一次解决。",
        "响应很快，感谢！",
    ],
    4: [
        "总体满意，希望响应再快一些。",
        "问题已解决，沟通顺畅。",
        "服务不错，报告再详细些更好。",
    ],
    3: [
        "问题解决了，但等待时间较长。",
        "基本满意，希望加强事前沟通。",
    ],
    2: [
        "处理拖延，影响了生产。",
        "问题反复出现，不太满意。",
    ],
    1: [
        "非常不满意，多次催促才处理。",
        "对处理结果不认可，将考虑更换供应商。",
    ],
}

# --- care ---------------------------------------------------------------------------------

CARE_NOTES = {
    "follow_up": (
        [
            "电话回访采购经理，设备运行正常，客户对交付满意。",
            "上门回访，客户提出备件需求，已转业务员报价。",
            "回访技术部，产品使用稳定，客户有追加采购意向。",
            "微信回访，客户反馈到货及时，对质量无异议。",
        ],
        [
            "客户近期已有服务请求在跟进，本次回访合并处理。",
            "联系人出差，改为下月拜访时一并回访。",
        ],
    ),
    "birthday": (
        [
            "已发送生日祝福微信，并寄送贺卡。",
            "生日当天电话问候，并送上小礼品。",
            "发送生日祝福短信，对方回复感谢。",
        ],
        [
            "联系人已离职，已更新联系人信息。",
            "联系人在外地出差，改为下次拜访时补送礼品。",
        ],
    ),
    "holiday": (
        [
            "已发送节日祝福短信。",
            "节前走访客户，送上节日问候和公司台历。",
            "已寄送节日贺卡和礼盒。",
            "节前电话问候，顺便确认节后的发货计划。",
        ],
        [
            "客户放假，节后统一拜访。",
            "已由经理统一发送节日祝福，本条不再单独跟进。",
        ],
    ),
    "win_back": (
        [
            "上门拜访新任采购经理，介绍新品和价格政策，客户同意重新报价。",
            "电话联系客户，暂无采购计划，约定半年后再跟进。",
            "邀请客户参加新品发布会，客户派技术人员参加，对新品有兴趣。",
        ],
        [
            "客户明确表示近期不考虑，暂缓跟进。",
        ],
    ),
}

WIN_BACK_TITLES = [
    "拜访新任采购经理，争取恢复合作",
    "寄送新品目录并电话回访",
    "邀请客户参加新品推介会",
    "提供试用样品，重新建立联系",
]

LOST_REASONS = [
    "价格竞争：客户改从{r}采购。",
    "客户产线转型，不再需要我方产品。",
    "客户经营困难，已停止采购。",
    "客户被集团收购，改由集团统一招标采购。",
    "多次交付问题后客户更换了供应商。",
]

# The customers the demo enters as lost from the start (loader): why, as entered.
EARLY_LOST_REASONS = [
    "多年前合作过，因价格原因转向其他供应商，建档时已无往来。",
    "原为老客户，企业搬迁后停止采购。",
    "客户转产新能源部件，原产品需求取消。",
    "竞争对手长期独家供货，多次接触未果。",
]

# --- competitors and news -----------------------------------------------------------------

# Local competitors the researcher adds: name, products, strengths, weaknesses, price level.
LOCAL_RIVALS = [
    (
        "宁波恒瑞汽配",
        "刹车片、制动盘",
        "价格低，本地交货快",
        "产品一致性差，缺少主机厂认证",
        "low",
    ),
    (
        "台州博远机械",
        "液压油缸、齿轮泵",
        "报价灵活，定制响应快",
        "规模小，售后网点少",
        "low",
    ),
    (
        "常州精锐数控",
        "数控车床、立式加工中心",
        "区域服务网点密集",
        "高端机型依赖外购数控系统",
        "similar",
    ),
]

# Notes the researcher adds to competitors over time.
RIVAL_NOTES = {
    "博世": "据经销商反馈，售后渠道价格上调，部分价格敏感客户开始询问国产替代。",
    "海天精工": "新款立式加工中心定位与我方VMC850接近，主打短交期。",
    "合锻智能": "近期在汽车零部件冲压项目投标中报价明显低于我方。",
    "万向钱潮": "加大售后渠道投入，在华北新设区域仓库。",
    "宁波恒瑞汽配": "在华东物流车队客户中低价推广刹车片，需关注质量投诉情况。",
}

# title, source, tags, industry code, competitors, content
NEWS = [
    (
        "热轧板卷价格连续三周上涨",
        "我的钢铁网",
        "钢材价格, 原材料",
        "MACHINERY",
        [],
        (
            "受铁矿石和焦炭价格上涨带动，国内热轧板卷主流价格较上月上涨约4%。制动盘、钢板弹"
            "簧等钢制件成本随之上升，采购部建议对长协客户提前沟通调价机制。"
        ),
    ),
    (
        "重型商用车排放标准升级带动后处理需求",
        "行业协会通报",
        "政策, 排放标准, 商用车",
        "AUTO_OEM",
        [],
        (
            "排放标准升级后，商用车后处理系统和高压共轨喷油器需求明显增长；老旧车型配件需求"
            "将逐步下降，需关注库存结构调整。"
        ),
    ),
    (
        "{year}年上海国际汽车零配件展览会开幕",
        "展会主办方",
        "展会, 汽车零部件",
        "AUTO_PARTS",
        [
            "博世",
            "采埃孚",
            "法雷奥",
        ],
        (
            "本届展会制动系统、底盘和电子电气展区人气最旺，多家外资品牌展示了线控制动和电子"
            "驻车新品。我方展台接待客户六十余家，收集有效线索二十余条。"
        ),
    ),
    (
        "铸造生铁价格高位回落",
        "我的钢铁网",
        "钢材价格, 原材料",
        "AUTO_PARTS",
        [],
        (
            "本周铸造生铁出厂价小幅下调，HT250铸件原料成本压力有所缓解，预计制动鼓、制动盘"
            "类产品下季度成本可下降1%—2%。"
        ),
    ),
    (
        "汽车以旧换新补贴政策延续",
        "政府网站",
        "政策, 汽车消费",
        "AUTO_OEM",
        [],
        (
            "汽车以旧换新补贴政策延续执行，整车厂排产计划随之上调。预计下半年配套零部件订单"
            "增长，需提前做好产能和原材料储备。"
        ),
    ),
    (
        "商用车销量同比回升",
        "中国汽车工业协会",
        "市场数据, 商用车",
        "AUTO_OEM",
        [],
        (
            "上月商用车销量同比增长约12%，其中重卡增幅明显。物流车队更新需求带动制动、悬架"
            "类售后配件销量增长。"
        ),
    ),
    (
        "{year}年中国国际机床展览会举行",
        "中国机床工具工业协会",
        "展会, 机床",
        "MACHINERY",
        [
            "沈阳机床",
            "大连机床",
            "海天精工",
        ],
        (
            "展会以高档数控机床和智能制造为主题，国产五轴加工中心展品明显增加。调研发现中小"
            "客户对性价比高的立式加工中心需求旺盛。"
        ),
    ),
    (
        "工程机械行业景气度回暖",
        "中国工程机械工业协会",
        "市场数据, 工程机械",
        "CONSTRUCTION",
        [],
        (
            "挖掘机、起重机销量连续两个月正增长，液压件和传动件订单随之增加。华北地区基建项"
            "目集中开工，建议加强对工程机械客户的走访。"
        ),
    ),
    (
        "农机购置补贴新一轮目录发布",
        "农业农村部网站",
        "政策, 农业机械",
        "AGRI",
        [],
        "新目录向大马力拖拉机和智能农机倾斜，相关齿轮箱、液压系统配套需求预计增加。",
    ),
    (
        "竞品动态：外资制动品牌售后件调价",
        "经销商反馈",
        "竞争动态, 价格, 制动系统",
        "AUTO_PARTS",
        [
            "博世",
        ],
        (
            "据多家经销商反馈，博世售后刹车片渠道价格有所上调。部分价格敏感客户开始询问国产"
            "替代方案，是推广我方陶瓷刹车片的机会。"
        ),
    ),
    (
        "钢材期货价格大幅波动",
        "期货日报",
        "钢材价格, 原材料",
        "",
        [],
        (
            "螺纹钢和热卷期货价格单周波动超过6%。原材料采购建议采用分批锁价，降低成本波动对"
            "合同毛利的影响。"
        ),
    ),
    (
        "竞品动态：变速箱本地化加快",
        "行业媒体",
        "竞争动态, 传动系统",
        "AUTO_OEM",
        [
            "采埃孚",
        ],
        (
            "外资变速箱企业持续推进在华本地化生产，交期预计缩短。我方齿轮箱产品需在交期和服"
            "务响应上保持优势。"
        ),
    ),
    (
        "铝价上涨推高轻量化部件成本",
        "有色金属网",
        "原材料, 铝价",
        "AUTO_PARTS",
        [],
        "沪铝价格创近期新高，铝合金制动钳、控制臂等轻量化部件成本上升约3%。",
    ),
    (
        "竞品动态：新款立式加工中心上市",
        "行业媒体",
        "竞争动态, 新产品, 机床",
        "MACHINERY",
        [
            "海天精工",
        ],
        (
            "新品主打高性价比和短交期，与我方VMC850定位接近。销售部需准备对比资料，突出我方"
            "主轴性能和售后响应速度。"
        ),
    ),
    (
        "新能源商用车渗透率持续提升",
        "行业研究报告",
        "新能源, 商用车, 趋势",
        "AUTO_OEM",
        [],
        (
            "新能源轻卡和城市物流车渗透率快速提升，传统发动机配件需求长期承压，电驱动桥、制"
            "动能量回收相关零部件将成为增长点。"
        ),
    ),
    (
        "竞品动态：冲压项目低价中标",
        "招标网站",
        "竞争动态, 液压设备, 招标",
        "MACHINERY",
        [
            "合锻智能",
        ],
        (
            "某汽车零部件企业冲压车间改造项目中，竞争对手以明显低于我方的报价中标。后续类似"
            "项目需提前介入技术方案。"
        ),
    ),
    (
        "{year}年中国国际农业机械展览会闭幕",
        "展会主办方",
        "展会, 农业机械",
        "AGRI",
        [],
        "展会期间智能农机、大马力拖拉机备受关注，我方齿轮箱和液压站吸引多家农机厂商洽谈。",
    ),
    (
        "汽车零部件出口增长明显",
        "海关统计",
        "出口, 汽车零部件",
        "AUTO_PARTS",
        [],
        (
            "前三季度汽车零部件出口额同比增长，东南亚、中东市场需求旺盛。部分客户开始拓展出"
            "口业务，对产品认证提出更高要求。"
        ),
    ),
    (
        "制造业增值税留抵退税政策落地",
        "税务部门",
        "政策, 税收",
        "",
        [],
        "符合条件的制造业企业可申请增量留抵退税，客户资金压力有所缓解，有利于回款。",
    ),
    (
        "物流行业运价低迷，车队压缩维保支出",
        "物流行业协会",
        "市场数据, 物流",
        "LOGISTICS",
        [],
        "公路货运运价持续低位，部分物流客户推迟车辆维保，售后配件采购节奏放缓，需加强账期管理。",
    ),
    (
        "竞品动态：轮毂单元新品推广",
        "客户反馈",
        "竞争动态, 新产品",
        "AUTO_PARTS",
        [
            "万向钱潮",
        ],
        "客户反馈竞争对手正在推广新一代轮毂单元，承诺更长质保期。需关注其对我方传动件客户的影响。",
    ),
    (
        "竞品动态：自主品牌客户争夺加剧",
        "客户反馈",
        "竞争动态, 制动系统",
        "AUTO_OEM",
        [
            "亚太股份",
        ],
        (
            "多家自主品牌整车厂反馈，竞争对手报价灵活、响应迅速，我方在新平台定点中需加强同"
            "步开发能力。"
        ),
    ),
    (
        "竞品动态：经销商账期缩短",
        "经销商反馈",
        "竞争动态, 商务条款",
        "AUTO_PARTS",
        [
            "大陆",
        ],
        (
            "据经销商反馈，竞争对手缩短了经销商账期，部分经销商资金压力加大，转而寻求账期更"
            "灵活的供应商。"
        ),
    ),
    (
        "大规模设备更新行动方案发布",
        "政府网站",
        "政策, 设备更新",
        "MACHINERY",
        [],
        (
            "设备更新政策出台，工业企业技改需求释放，数控机床、液压机等设备采购意向增加。建"
            "议重点跟进老设备占比高的客户。"
        ),
    ),
    (
        "长三角汽车零部件产业集群加速发展",
        "地方媒体",
        "区域市场, 汽车零部件",
        "AUTO_PARTS",
        [],
        (
            "长三角地区新落地多个整车和零部件项目，配套半径缩短，对供应商的本地化服务和快速"
            "交付提出更高要求。"
        ),
    ),
    (
        "京津冀重型货车通行政策调整",
        "交通管理部门",
        "政策, 物流",
        "LOGISTICS",
        [],
        "重型货车通行时段和路线调整，物流客户车辆更新和维保计划随之变化，售后配件需求或将前移。",
    ),
    (
        "轴承钢价格上调",
        "我的钢铁网",
        "钢材价格, 原材料",
        "AUTO_PARTS",
        [],
        "主要钢厂上调轴承钢出厂价，万向节、轮毂单元等产品成本承压。",
    ),
    (
        "液压件国产替代加速",
        "行业研究报告",
        "趋势, 液压设备",
        "MACHINERY",
        [],
        (
            "主机厂降本压力下，国产液压阀、泵的配套比例持续提高。我方电液换向阀可与进口产品"
            "互换，是重点推广方向。"
        ),
    ),
    (
        "天然橡胶价格上涨影响减震件成本",
        "行业媒体",
        "原材料, 橡胶",
        "AUTO_PARTS",
        [],
        "天然橡胶价格上涨，空气弹簧、衬套类产品成本上升，需评估报价调整。",
    ),
    (
        "整车厂年度降价要求陆续下达",
        "客户反馈",
        "价格, 整车厂",
        "AUTO_OEM",
        [],
        "多家整车厂下达年度降本要求，幅度在3%—5%之间。需评估各产品线毛利并准备降本方案。",
    ),
    (
        "汽车零部件质量追溯新规征求意见",
        "市场监管部门",
        "政策, 质量",
        "AUTO_PARTS",
        [],
        "新规要求关键安全件实现批次级追溯，制动类产品需完善条码和追溯记录。",
    ),
    (
        "{year}年中国数控机床展览会在上海举办",
        "展会主办方",
        "展会, 机床",
        "MACHINERY",
        [
            "沈阳机床",
            "海天精工",
        ],
        (
            "展会期间复合加工、自动化上下料方案成为热点。我方展出的数控车床自动化单元获得多"
            "家客户关注。"
        ),
    ),
    (
        "工业分时电价政策调整",
        "发展改革部门",
        "政策, 能源",
        "",
        [],
        "工业用电峰谷价差拉大，部分客户调整生产班次，设备维保窗口随之变化。",
    ),
    (
        "海运费回落，出口成本下降",
        "航运媒体",
        "物流, 出口",
        "",
        [],
        "主要航线集装箱运价回落，出口型客户成本压力减轻，海外订单有望增加。",
    ),
    (
        "重卡市场进入传统淡季",
        "中国汽车工业协会",
        "市场数据, 商用车",
        "AUTO_OEM",
        [],
        (
            "受季节因素影响，重卡销量环比下滑，配套零部件订单相应减少，建议利用淡季做好客户"
            "回访和库存调整。"
        ),
    ),
    (
        "起重设备安全技术规范修订",
        "行业标准",
        "政策, 起重设备",
        "MACHINERY",
        [],
        "新规范对电动葫芦限位和制动提出更严格要求，存量设备改造将带来配件和维保需求。",
    ),
    (
        "智能制造示范工厂名单公布",
        "工业和信息化部门",
        "政策, 智能制造",
        "MACHINERY",
        [],
        "多家客户入选示范工厂名单，后续在自动化产线和数字化设备方面投入加大。",
    ),
    (
        "汽车售后市场连锁化加速",
        "行业研究报告",
        "趋势, 售后市场",
        "AUTO_PARTS",
        [],
        "汽车售后连锁品牌快速扩张，集中采购比例提高，对供应商的品牌、价格和配送能力要求更高。",
    ),
    (
        "竞品动态：机床以旧换新方案",
        "客户反馈",
        "竞争动态, 机床",
        "MACHINERY",
        [
            "沈阳机床",
        ],
        "客户反馈竞争对手推出老旧机床以旧换新方案，折价幅度较大，对我方数控车床项目形成压力。",
    ),
    (
        "竞品动态：加工中心交期延长",
        "客户反馈",
        "竞争动态, 交期",
        "MACHINERY",
        [
            "大连机床",
        ],
        "据客户反馈，竞争对手部分机型交期延长至四个月以上，我方可借现货优势争取订单。",
    ),
    (
        "竞品动态：本地刹车片厂商低价竞争",
        "业务员反馈",
        "竞争动态, 价格, 制动系统",
        "LOGISTICS",
        [
            "宁波恒瑞汽配",
        ],
        (
            "华东物流车队客户反馈，本地厂商刹车片报价比我方低15%左右，但使用寿命较短。建议"
            "用全生命周期成本对比说服客户。"
        ),
    ),
    (
        "竞品动态：区域机床服务网点扩张",
        "业务员反馈",
        "竞争动态, 售后服务",
        "MACHINERY",
        [
            "常州精锐数控",
        ],
        (
            "竞争对手在苏南新增三个服务网点，承诺四小时响应。我方需评估在常州、无锡设立备件"
            "库的必要性。"
        ),
    ),
    (
        "{year}年bauma CHINA工程机械展开幕",
        "展会主办方",
        "展会, 工程机械",
        "CONSTRUCTION",
        [
            "济南二机床",
            "天锻",
        ],
        "电动化、智能化工程机械成为展会亮点，液压系统和传动部件供应商展位人气较高。",
    ),
    (
        "离合器售后市场促销活动增多",
        "经销商反馈",
        "竞争动态, 价格",
        "AUTO_PARTS",
        [
            "法雷奥",
        ],
        (
            "多家品牌在售后渠道开展离合器促销，经销商库存压力增大，我方需避免价格战，突出寿"
            "命和质保优势。"
        ),
    ),
    (
        "铜价上涨影响电机和线束成本",
        "有色金属网",
        "原材料, 铜价",
        "AUTO_PARTS",
        [],
        "铜价上涨，起动机、发电机和线束类产品成本上升约2%—3%。",
    ),
]


CARE_SINCE_DAYS = 365  # the scheduled care generation has run for the last year
HISTORY_DAYS = 720
TYPE_WEIGHTS = (["REPAIR", "COMPLAINT", "MAINTENANCE", "CONSULT", "IN_SALE"], [26, 22, 18, 18, 16])
PRIORITY_WEIGHTS = {
    # low, normal, high, urgent
    "CONSULT": [40, 52, 8, 0],
    "IN_SALE": [20, 50, 25, 5],
    "COMPLAINT": [8, 37, 35, 20],
    "MAINTENANCE": [45, 43, 12, 0],
    "REPAIR": [10, 35, 35, 20],
}
PRIORITIES = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
BREACH_CHANCE = {"COMPLAINT": 0.2, "REPAIR": 0.18, "MAINTENANCE": 0.08}
REOPENED = ("COMPLAINT", "REPAIR", "MAINTENANCE")  # the kinds of request that come back
# Open work today, so that the queues, due-time states and reminders have something to show:
# (status, due-time state, assignee)
RECENT = [
    ("new", "on_time", None),
    ("new", "at_risk", None),
    ("new", "breached", None),
    ("assigned", "on_time", "service"),
    ("assigned", "at_risk", "service"),
    ("assigned", "breached", "svcmgr"),
    ("in_progress", "on_time", "service"),
    ("in_progress", "at_risk", "svcmgr"),
    ("in_progress", "breached", "service"),
    ("in_progress", "reopened", "service"),
    ("resolved", "on_time", "service"),
    ("resolved", "breached", "svcmgr"),
    ("resolved", "on_time", "svcmgr"),
    ("closed", "reopened", "service"),
]
RECENT_MORE = [
    ("new", "on_time", None),
    ("assigned", "on_time", "service"),
    ("in_progress", "on_time", "service"),
    ("in_progress", "on_time", "svcmgr"),
    ("resolved", "on_time", "service"),
]
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


@dataclass
class _Anchor:
    """Something a request can be about: a customer, maybe a contract and its products, and
    the days on which such a request makes sense."""

    customer: Customer
    first: datetime.date
    last: datetime.date
    contract: Contract | None = None
    products: list[Product] = field(default_factory=list)


class _ServiceDemo:
    def __init__(self, *, seed: int, users: dict[str, User]) -> None:
        self.rng = random.Random(seed * 104729 + 17)
        self.users = users
        self.service = users["service"]
        self.svcmgr = users.get("svcmgr") or users["admin"]
        self.now = clock.now()
        self.today = clock.localdate()
        self.last_day = self.today - DAY
        start_of_today = clock.start_of_day(self.today)
        # Nothing the demo does happens today: the history of the load day stays empty.
        self.latest = start_of_today - MINUTE
        self.first_day = self.today - HISTORY_DAYS * DAY
        self.care_since = self.today - CARE_SINCE_DAYS * DAY
        self.clock = _Clock()
        self.events: list[_Event] = []
        self.settings = service_settings()
        self.methods = {m.code: m for m in ref.WorkMethod.objects.filter(is_active=True)}
        self.types = {t.code: t for t in ref.ServiceRequestType.objects.filter(is_active=True)}
        self.categories = {c.code: c for c in ref.ComplaintCategory.objects.filter(is_active=True)}
        self.industries = {i.code: i for i in ref.Industry.objects.all()}
        self.products = list(Product.objects.filter(is_active=True).order_by("code"))
        self.heads: dict[int, User] = {}
        self.turns: dict[str, int] = {}
        self.due: dict[int, datetime.datetime] = {}

    # --- time ------------------------------------------------------------------------------

    def moment(self, day: datetime.date, minutes: int) -> datetime.datetime:
        naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
        return timezone.make_aware(naive)

    def work_moment(self, day: datetime.date) -> datetime.datetime:
        return self.moment(day, self.rng.randrange(8 * 60 + 30, 18 * 60, 5))

    def day_between(
        self, first: datetime.date, last: datetime.date, recent: bool = False
    ) -> datetime.date:
        span = (last - first).days
        if span <= 0:
            return first
        if recent:  # business grows: more of it lately
            return first + round(self.rng.triangular(0, span, span)) * DAY
        return first + self.rng.randint(0, span) * DAY

    def add(self, when: datetime.datetime, run: Any) -> bool:
        """Plan `run` at `when`; nothing is planned for today (the load day) or later."""
        if when > self.latest:
            return False
        self.events.append(_Event(when, len(self.events), run))
        return True

    def queue(self, steps: list[tuple[datetime.datetime, Any]]) -> None:
        """The steps of one record, in order, each strictly after the one before; the record
        stops at a step that would fall on the load day."""
        last = None
        for when, run in steps:
            if last is not None and when <= last:
                when = last + MINUTE
            if not self.add(when, run):
                break
            last = when

    def run(self) -> None:
        for event in sorted(self.events):
            self.clock.at(event.moment)
            event.run()
        self.events = []

    # --- what the sales demo left ----------------------------------------------------------

    def survey(self) -> None:
        customers = list(
            Customer.objects.filter(review_status__in=["approved", "pending"])
            .select_related("owner", "industry")
            .order_by("pk")
        )
        self.contacts: dict[int, list[Contact]] = {}
        for contact in Contact.objects.filter(customer__in=customers).order_by(
            "customer", "-is_primary", "pk"
        ):
            self.contacts.setdefault(contact.customer_id, []).append(contact)
        self.entered = {c.pk: timezone.localtime(c.created_at).date() for c in customers}
        self.early_lost = [c for c in customers if c.status == CustomerStatus.LOST]
        self.live = [c for c in customers if c.status != CustomerStatus.LOST]
        self.contracts: dict[int, list[Contract]] = {}
        for contract in (
            Contract.objects.filter(customer__in=self.live)
            .prefetch_related("lines__product")
            .order_by("pk")
        ):
            self.contracts.setdefault(contract.customer_id, []).append(contract)
        self.lost_on: dict[int, datetime.date] = {}
        # Active customers nobody has talked to for the churn period: most stay silent, so the
        # churn warning list has something to show.
        churn = churn_queryset(today=self.today, days=self.settings.churn_days).order_by("pk")
        quiet_from = self.today - (self.settings.churn_days + 7) * DAY
        self.quiet: dict[int, datetime.date] = {
            pk: quiet_from for pk in churn.values_list("pk", flat=True) if self.rng.random() < 0.7
        }

    def pool(self, customer: Customer) -> list[Product]:
        code = customer.industry.code if customer.industry else ""
        categories = CATEGORIES.get(code, VEHICLE)
        return [p for p in self.products if p.category in categories] or self.products

    @staticmethod
    def rivals(products: list[Product]) -> list[str]:
        return PLANT_RIVALS if any(p.category in PLANT for p in products) else VEHICLE_RIVALS

    def end_of(self, customer: Customer) -> datetime.date:
        """The last day anything is recorded for the customer."""
        end = self.last_day
        if customer.pk in self.lost_on:
            end = min(end, self.lost_on[customer.pk] - DAY)
        if customer.pk in self.quiet:
            end = min(end, self.quiet[customer.pk])
        return end

    def head(self, user: User) -> User:
        if user.pk not in self.heads:
            department = user.department
            head = department.head if department is not None else None
            self.heads[user.pk] = head or self.users["admin"]
        return self.heads[user.pk]

    def fill(self, text: str, products: list[Product], contract: Contract | None = None) -> str:
        product = self.rng.choice(products) if products else None
        return text.format(
            p=product.name.split("（")[0] if product else "产品",
            r=self.rng.choice(self.rivals(products)),
            n=self.rng.choice([3, 5, 8, 10, 12, 15, 20]),
            contract=contract.number if contract else "",
        )

    # --- market: competitors and news ------------------------------------------------------

    def plan_market(self) -> None:
        rng = self.rng
        researcher = self.users.get("researcher") or self.users["admin"]
        clerk = self.users.get("clerk") or researcher
        for index, (name, products, strengths, weaknesses, price) in enumerate(LOCAL_RIVALS):
            day = self.today - (620 - index * 70) * DAY
            fields = {
                "name": name,
                "products": products,
                "strengths": strengths,
                "weaknesses": weaknesses,
                "price_level": price,
            }
            self.add(
                self.work_moment(day),
                lambda f=fields: competitor_create(actor=researcher, **f),
            )
        for index, (name, notes) in enumerate(RIVAL_NOTES.items()):
            day = self.today - (300 - index * 45) * DAY
            self.add(
                self.work_moment(day),
                lambda n=name, t=notes: competitor_update(
                    actor=researcher, competitor=Competitor.objects.get(name=n), notes=t
                ),
            )
        count = len(NEWS)
        for index, (title, source, tags, industry, rivals, content) in enumerate(NEWS):
            back = round((HISTORY_DAYS - 5) * (count - index) / count) + rng.randint(-4, 4)
            published = max(self.first_day, min(self.today - back * DAY, self.last_day))
            entered = min(published + rng.choice([0, 0, 1, 2]) * DAY, self.last_day)
            fields = {
                "actor": researcher if rng.random() < 0.7 else clerk,
                "title": title.format(year=published.year),
                "published_on": published,
                "source": source,
                "tags": tags,
                "industry": self.industries.get(industry),
                "content": content,
            }
            self.add(
                self.work_moment(entered),
                lambda f=fields, r=rivals: news_create(
                    competitors=list(Competitor.objects.filter(name__in=r).order_by("pk")), **f
                ),
            )

    # --- lost customers --------------------------------------------------------------------

    def plan_lost(self, count: int) -> None:
        """A few prospects who once dealt with us (lost opportunities, a terminated contract)
        and went quiet are marked lost some weeks after the last thing that happened."""
        last_event: dict[int, datetime.date] = {}
        for model in (Opportunity, Contract):
            for pk, at in model.objects.values_list("customer", "updated_at").order_by("pk"):
                day = timezone.localtime(at).date()
                last_event[pk] = max(last_event.get(pk, day), day)
        busy = set(
            Opportunity.objects.filter(status=OpportunityStatus.OPEN).values_list(
                "customer", flat=True
            )
        ) | set(
            Contract.objects.exclude(status__in=[S.TERMINATED, S.REJECTED]).values_list(
                "customer", flat=True
            )
        )
        candidates = [
            c
            for c in self.live
            if c.status == CustomerStatus.PROSPECT
            and c.review_status == "approved"
            and c.pk not in busy
            and c.pk in last_event
            and last_event[c.pk] < self.today - 120 * DAY
            and self.entered[c.pk] < self.today - 300 * DAY
        ]
        for customer in self.rng.sample(candidates, min(count, len(candidates))):
            day = last_event[customer.pk] + self.rng.randint(30, 100) * DAY
            day = min(day, self.today - 20 * DAY)
            self.lost_on[customer.pk] = day
            actor = customer.owner if self.rng.random() < 0.6 else self.head(customer.owner)
            rival = self.rng.choice(self.rivals(self.pool(customer)))
            reason = self.rng.choice(LOST_REASONS).format(r=rival)
            self.add(
                self.work_moment(day),
                lambda c=customer, a=actor, r=reason: customer_mark_lost(
                    actor=a, customer=c, reason=r
                ),
            )

    # --- feedback --------------------------------------------------------------------------

    def plan_feedback(self, count: int) -> None:
        """Contacts with customers as their salespeople, managers, the researcher and the
        service agent reported them; the clerk and the researcher type in some of the
        salespeople's reports, a few days later."""
        rng = self.rng
        live = [c for c in self.live if c.review_status == "approved"]
        pending = [c for c in self.live if c.review_status == "pending"]
        if not live:
            return
        weights = [3 if c.status == CustomerStatus.ACTIVE else 1.5 for c in live]
        clerk, researcher = self.users["clerk"], self.users["researcher"]
        made = 0
        for _attempt in range(count * 3):
            if made >= count:
                break
            if pending and rng.random() < 0.03:
                customer = rng.choice(pending)
            else:
                customer = rng.choices(live, weights)[0]
            first = max(self.entered[customer.pk] + DAY, self.first_day)
            last = self.end_of(customer)
            if last < first:
                continue
            day = self.day_between(first, last, recent=rng.random() < 0.5)
            owner = customer.owner
            roll = rng.random()
            if roll < 0.52:
                reporter = entered_by = owner
            elif roll < 0.62:
                reporter = entered_by = self.head(owner)
            elif roll < 0.78:
                reporter, entered_by = owner, clerk
            elif roll < 0.86:
                reporter = entered_by = researcher
            elif roll < 0.91:
                reporter, entered_by = owner, researcher
            else:
                reporter = entered_by = self.service
            if reporter == researcher:
                method, text = "VISIT", rng.choice(FEEDBACK_RESEARCH)
            elif reporter == self.service:
                method, text = "PHONE", rng.choice(FEEDBACK_SERVICE)
            else:
                method = rng.choices(*CHANNEL_WEIGHTS)[0]
                text = rng.choice(FEEDBACK[method])
            contacts = self.contacts.get(customer.pk, [])
            fields = {
                "actor": entered_by,
                "customer": customer,
                "contact": rng.choice(contacts) if contacts and rng.random() < 0.8 else None,
                "date": day,
                "channel": self.methods.get(method),
                "content": self.fill(text, self.pool(customer)),
                "reported_by": reporter,
            }
            later = 0 if entered_by == reporter else rng.randint(0, 4)
            entered = min(day + later * DAY, self.last_day)
            self.add(self.work_moment(entered), lambda f=fields: feedback_create(**f))
            made += 1

    # --- service requests ------------------------------------------------------------------

    def anchors(self) -> dict[str, list[_Anchor]]:
        pools: dict[str, list[_Anchor]] = {code: [] for code in TYPE_WEIGHTS[0]}
        for customer in self.live:
            if customer.review_status != "approved":
                continue
            end = self.end_of(customer)
            start = max(self.entered[customer.pk] + DAY, self.first_day)
            pool = self.pool(customer)
            pools["CONSULT"].append(
                _Anchor(customer, start, end, products=self.rng.sample(pool, min(2, len(pool))))
            )
            for contract in self.contracts.get(customer.pk, []):
                products = [line.product for line in contract.lines.all()]
                if contract.status in (S.APPROVED, S.EXECUTING, S.COMPLETED) and contract.signed_on:
                    last = min(contract.completed_on or end, end)
                    begin = max(contract.signed_on, start)
                    pools["IN_SALE"].append(_Anchor(customer, begin, last, contract, products))
                if contract.started_on and contract.status in ACTIVE_CUSTOMER_STATUSES:
                    begin = max(contract.started_on + 5 * DAY, start)
                    for code in ("COMPLAINT", "REPAIR", "MAINTENANCE"):
                        pools[code].append(_Anchor(customer, begin, end, contract, products))
        return {code: [a for a in pool if a.first <= a.last] for code, pool in pools.items()}

    def pick(
        self, pools: dict[str, list[_Anchor]], code: str, first: datetime.date, last: datetime.date
    ) -> tuple[_Anchor | None, datetime.date]:
        """An anchor of type `code` and a day for it between `first` and `last`."""
        fitting = [a for a in pools[code] if a.first <= last and a.last >= first]
        if not fitting:
            return None, first
        anchor = self.rng.choice(fitting)
        day = self.day_between(max(first, anchor.first), min(last, anchor.last), recent=True)
        return anchor, day

    def covering(self, pools: dict[str, list[_Anchor]], code: str) -> _Anchor | None:
        """An anchor of type `code` that lasts from some weeks ago to yesterday."""
        since = self.today - 20 * DAY
        fitting = [a for a in pools[code] if a.first <= since and a.last >= self.last_day]
        return self.rng.choice(fitting) if fitting else None

    def texts(self, code: str, anchor: _Anchor) -> tuple[str, str, str, str | None, Product | None]:
        """Subject, description, resolution, complaint category and product of a request."""
        rng = self.rng
        category = None
        if code == "COMPLAINT":
            category = rng.choices(*COMPLAINT_WEIGHTS)[0]
            templates = COMPLAINTS[category]
        else:
            templates = REQUESTS[code]
        machines = [p for p in anchor.products if p.category in PLANT]
        if code == "MAINTENANCE" and machines:  # machines are serviced, parts replaced
            product = rng.choice(machines)
        else:
            product = rng.choice(anchor.products) if anchor.products else None
        group = "P" if product is not None and product.category in PLANT else "V"
        fitting = [t for t in templates if t[0] in ("A", group)] or templates
        _kind, subject, description, resolution = rng.choice(fitting)
        values = {
            "p": product.name.split("（")[0] if product else "产品",
            "r": rng.choice(self.rivals([product] if product else [])),
            "n": rng.choice([3, 5, 8, 12, 20]),
            "contract": anchor.contract.number if anchor.contract else "",
        }
        return (
            subject.format(**values)[:200],
            description.format(**values),
            resolution.format(**values),
            category,
            product,
        )

    def plan_requests(self, count: int, recent: int) -> None:
        rng = self.rng
        pools = self.anchors()
        pairs = [(c, w) for c, w in zip(*TYPE_WEIGHTS, strict=True) if pools[c] and c in self.types]
        if not pairs:
            return
        codes, weights = [c for c, _w in pairs], [w for _c, w in pairs]
        # The open work of today.
        targets = list(RECENT)
        while len(targets) < recent:
            targets.append(rng.choice(RECENT_MORE))
        for status, state, who in targets:
            for _attempt in range(20):
                code = rng.choices(codes, weights)[0]
                if state == "reopened" and code not in REOPENED:
                    continue
                anchor = self.covering(pools, code)
                if anchor is not None:
                    self.recent_request(code, anchor, status, state, who)
                    break
        # The history: closed, a few reopened on the way; every type at least once whatever
        # the draw (the draw depends on the time of day the demo is loaded).
        made = 0
        for code in codes:
            anchor, day = self.pick(pools, code, self.first_day, self.today - 14 * DAY)
            if anchor is not None:
                self.request(code, anchor, self.work_moment(day), "closed", False)
                made += 1
        for _attempt in range(count * 3):
            if made >= count - len(targets):
                break
            code = rng.choices(codes, weights)[0]
            anchor, day = self.pick(pools, code, self.first_day, self.today - 14 * DAY)
            if anchor is None:
                continue
            created = self.work_moment(day)
            reopen = code in REOPENED and day < self.today - 45 * DAY and rng.random() < 0.07
            breached = rng.random() < BREACH_CHANCE.get(code, 0.05)
            self.request(code, anchor, created, "closed", breached, reopen=reopen)
            made += 1

    def recent_request(
        self, code: str, anchor: _Anchor, status: str, state: str, who: str | None
    ) -> None:
        """An open (or lately closed) request whose due-time state is `state` right now."""
        rng = self.rng
        assignee = self.users.get(who) if who else None
        if state == "reopened":
            # Long enough ago that it was resolved and closed before it came back.
            created = self.work_moment(self.today - rng.randint(10, 18) * DAY)
            self.request(
                code, anchor, created, status, False, reopen=True, assignee=assignee, recent=True
            )
            return
        if status == "resolved":
            breached = state == "breached"
            created = self.work_moment(self.today - rng.randint(5 if breached else 2, 9) * DAY)
            self.request(code, anchor, created, status, breached, assignee=assignee, recent=True)
            return
        # Open: opened so long ago that it is on time, at risk or late now.
        room = {"new": 0, "assigned": 1, "in_progress": 2}[status] * 50 * MINUTE
        # Each state in turn with each priority its window allows (every priority is there).
        preferences = {
            "on_time": [Priority.LOW, Priority.NORMAL, Priority.HIGH],
            "at_risk": [Priority.NORMAL, Priority.LOW, Priority.HIGH],
            "breached": [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW],
        }[state]
        turn = self.turns[state] = self.turns.get(state, -1) + 1
        preferences = preferences[turn % 2 :] + preferences[: turn % 2]
        margin = 40 * MINUTE
        for priority in preferences:
            allowed = datetime.timedelta(hours=self.settings.hours_for(priority))
            risk = allowed * (100 - self.settings.at_risk_percent) / 100
            if state == "on_time":
                low, high = self.now - risk + margin, self.now - margin
            elif state == "at_risk":
                low, high = self.now - allowed + margin, self.now - risk - margin
            else:
                low, high = self.now - allowed - 5 * 24 * HOUR, self.now - allowed - margin
            high = min(high, self.latest - room)
            if low + MINUTE < high:
                break
        else:
            return
        for _attempt in range(12):  # when customers call, if the window allows
            created = low + (high - low) * rng.random()
            if 8 <= timezone.localtime(created).hour < 20:
                break
        self.request(
            code,
            anchor,
            max(created.replace(second=0, microsecond=0), low),
            status,
            state == "breached",
            assignee=assignee,
            priority=priority,
            recent=True,
        )

    def request(
        self,
        code: str,
        anchor: _Anchor,
        created: datetime.datetime,
        status: str,
        breached: bool,
        *,
        reopen: bool = False,
        assignee: User | None = None,
        priority: str | None = None,
        recent: bool = False,
    ) -> None:
        """Plan one request from its opening to `status`."""
        rng = self.rng
        customer = anchor.customer
        priority = priority or rng.choices(PRIORITIES, PRIORITY_WEIGHTS[code])[0]
        allowed = datetime.timedelta(hours=self.settings.hours_for(priority))
        subject, description, resolution, category, product = self.texts(code, anchor)
        contacts = self.contacts.get(customer.pk, [])
        contact = None
        if contacts and rng.random() < 0.85:
            contact = contacts[0] if rng.random() < 0.6 else rng.choice(contacts)
        fields = {
            "customer": customer,
            "contact": contact,
            "type": self.types[code],
            "complaint_category": self.categories.get(category) if category else None,
            "priority": priority,
            "subject": subject,
            "description": description,
            "contract": anchor.contract if code != "CONSULT" else None,
            "product": product,
        }
        if assignee is None and status != "new":
            assignee = self.service if rng.random() < 0.7 else self.svcmgr
        # Who opens it (the agent on the hotline, the salesperson, the manager, the clerk), and
        # whether it is assigned at once.
        roll = rng.random()
        if status == "new":
            creator, at_once = (self.service if roll < 0.6 else customer.owner), False
        elif roll < 0.5:
            creator, at_once = self.service, assignee == self.service and rng.random() < 0.45
        elif roll < 0.7:
            creator, at_once = customer.owner, False
        elif roll < 0.85:
            creator, at_once = self.svcmgr, True
        else:
            creator, at_once = self.users["clerk"], False
        state: dict[str, Any] = {}

        def create(a=creator, who=assignee if at_once else None) -> None:
            state["r"] = request_create(actor=a, assignee=who, **fields)

        def assign(who=assignee) -> None:
            state["r"] = request_assign(actor=self.svcmgr, request=state["r"], assignee=who)

        def start(who=assignee) -> None:
            state["r"] = request_start(actor=who, request=state["r"])

        steps: list[tuple[datetime.datetime, Any]] = [(created, create)]
        if status == "new":
            self.queue(steps)
            return

        # Open work of today moves within minutes; the rest as the due time allows.
        def delay(low: float, high: float, quick: float) -> datetime.timedelta:
            if recent and status in ("assigned", "in_progress") and not reopen:
                return rng.uniform(2, quick) * MINUTE
            return max(3 * MINUTE, allowed * rng.uniform(low, high))

        at = created
        if not at_once:
            at = created + delay(0.02, 0.1, 20)
            steps.append((at, assign))
        if status == "assigned":
            self.queue(steps)
            return
        at += delay(0.02, 0.12, 25)
        steps.append((at, start))
        if status == "in_progress" and not reopen:
            self.queue(steps)
            return
        share = rng.uniform(1.08, 2.6) if breached else rng.uniform(0.35, 0.95)
        resolved = max(created + allowed * share, at + 5 * MINUTE)
        closer = self.svcmgr if rng.random() < 0.6 else assignee
        closed = resolved + rng.uniform(1, 72) * HOUR
        if recent:
            resolved = min(resolved, self.latest - 2 * HOUR)
            closed = min(closed, self.latest - HOUR)
        steps.append((resolved, self.resolve_step(state, assignee, resolution)))
        if status == "resolved":
            self.queue(steps)
            return
        troubled = breached or reopen
        if reopen and status == "in_progress" and rng.random() < 0.5:
            closed = resolved  # reopened before it was closed
        else:
            steps.append((closed, self.close_step(state, closer, self.score(code, troubled))))
        if reopen:
            if recent and status == "in_progress":
                again = self.now - rng.uniform(26, 60) * HOUR
            elif recent:
                again = self.now - rng.uniform(60, 96) * HOUR
            else:
                again = closed + rng.uniform(1, 8) * 24 * HOUR
            again = max(again, closed + 2 * HOUR)
            reason = rng.choice(REOPEN_REASONS)
            who = rng.choice([self.svcmgr, assignee])

            def reopen_step(a=who, r=reason) -> None:
                state["r"] = request_reopen(actor=a, request=state["r"], reason=r)

            steps.append((again, reopen_step))
            if status == "closed":
                resolved = again + rng.uniform(3, 20) * HOUR
                closed = resolved + rng.uniform(1, 10) * HOUR
                steps.append(
                    (resolved, self.resolve_step(state, assignee, "复查后再次处理：" + resolution))
                )
                steps.append((closed, self.close_step(state, closer, self.score(code, True))))
        self.queue(steps)

    def resolve_step(self, state: dict, who: User, resolution: str) -> Any:
        def run() -> None:
            state["r"] = request_resolve(actor=who, request=state["r"], resolution=resolution)

        return run

    def close_step(self, state: dict, who: User, score: int) -> Any:
        comment = self.rng.choice(SATISFACTION_COMMENTS[score]) if self.rng.random() < 0.75 else ""

        def run() -> None:
            state["r"] = request_close(
                actor=who, request=state["r"], satisfaction=score, comment=comment
            )

        return run

    def score(self, code: str, troubled: bool) -> int:
        """Satisfaction: complaints score lower, and a late or reopened request lower still."""
        weights = [14, 24, 30, 21, 11] if code == "COMPLAINT" else [2, 4, 12, 36, 46]
        if troubled:
            weights = [weights[0] + weights[1], weights[2], weights[3], weights[4] // 2, 1]
        return self.rng.choices([1, 2, 3, 4, 5], weights)[0]

    # --- care ------------------------------------------------------------------------------

    def plan_care(self) -> None:
        """The scheduler's work of the last year: weekly runs of the follow-up generation, the
        birthday and holiday greetings it made (for the customers we knew then), and what the
        owners did with them; then win-back attempts for lost customers."""
        lead = self.settings.care_lead_days
        tick = self.care_since
        while tick <= self.last_day:
            when = self.moment(tick, 6 * 60)
            self.add(
                when,
                lambda t=tick, w=when: generate_follow_ups(today=t, settings=self.settings, now=w),
            )
            tick += 7 * DAY
        owners = {c.pk: c.owner for c in self.live}
        follow = datetime.timedelta(days=self.settings.follow_up_days)
        for customer_id, contracts in self.contracts.items():
            for contract in contracts:
                if contract.status != S.COMPLETED or not contract.completed_on:
                    continue
                due = contract.completed_on + follow
                if self.care_since - 30 * DAY <= due <= self.last_day:
                    self.finish(
                        f"follow_up:{contract.pk}",
                        due,
                        owners[customer_id],
                        earliest=max(due, self.care_since + DAY),
                    )
        occasions: dict[datetime.date, list[CareAction]] = {}
        for customer in self.live:
            if customer.owner_id is None:
                continue
            for contact in self.contacts.get(customer.pk, []):
                if contact.birthday is None:
                    continue
                for year in sorted({self.care_since.year, self.today.year}):
                    try:
                        day = contact.birthday.replace(year=year)
                    except ValueError:  # 29 February in a common year
                        day = datetime.date(year, 2, 28)
                    if not self.known(customer, day - lead * DAY, day):
                        continue
                    occasions.setdefault(day - lead * DAY, []).append(
                        CareAction(
                            customer=customer,
                            contact=contact,
                            kind=CareKind.BIRTHDAY,
                            due_date=day,
                            assignee_id=customer.owner_id,
                            key=f"birthday:{contact.pk}:{day.year}",
                        )
                    )
        started = {
            pk: min(
                (
                    c.started_on
                    for c in contracts
                    if c.started_on and c.status in ACTIVE_CUSTOMER_STATUSES
                ),
                default=None,
            )
            for pk, contracts in self.contracts.items()
        }
        for holiday in Holiday.objects.filter(is_active=True).order_by("pk"):
            for year in sorted({self.care_since.year, self.today.year}):
                day = holiday.occurrence(year)
                if day is None:
                    continue
                made = day - lead * DAY
                for customer in self.live:
                    first = started.get(customer.pk)
                    if customer.status != CustomerStatus.ACTIVE or first is None or first > made:
                        continue  # greetings go to customers who buy from us
                    if customer.owner_id is None or not self.known(customer, made, day):
                        continue
                    contacts = self.contacts.get(customer.pk, [])
                    occasions.setdefault(made, []).append(
                        CareAction(
                            customer=customer,
                            contact=next((c for c in contacts if c.is_primary), None),
                            holiday=holiday,
                            kind=CareKind.HOLIDAY,
                            due_date=day,
                            assignee_id=customer.owner_id,
                            key=f"holiday:{holiday.pk}:{year}:{customer.pk}",
                        )
                    )
        for made in sorted(occasions):
            actions = occasions[made]
            when = self.moment(made, 6 * 60 + 5)
            for action in actions:
                action.created_at = action.updated_at = when
            # What the scheduled generation stores, on the day it would have run.
            self.add(when, lambda a=actions: CareAction.objects.bulk_create(a))
            for action in actions:
                self.finish(action.key, action.due_date, owners[action.customer.pk])
        self.plan_win_back()

    def known(self, customer: Customer, made: datetime.date, due: datetime.date) -> bool:
        """Would the scheduler have made this greeting (made on `made`, for `due`)? Not
        before it ran, not for a customer entered later or lost by then, not for today on:
        that is the scheduled run at the end of the load."""
        if made < self.care_since or due >= self.today:
            return False
        if made <= self.entered[customer.pk]:
            return False
        lost = self.lost_on.get(customer.pk)
        return lost is None or lost > made

    def finish(
        self, key: str, due: datetime.date, owner: User, earliest: datetime.date | None = None
    ) -> None:
        """The owner does the action around its day, or skips it with a reason; some of the
        last weeks' are still to do."""
        rng = self.rng
        kind = key.split(":")[0]
        roll = rng.random()
        if due >= self.today - 21 * DAY and roll < 0.3:
            return
        offsets = {"holiday": [-3, -2, -1, -1, 0], "birthday": [-1, 0, 0, 0, 1]}
        day = due + rng.choice(offsets.get(kind, [0, 0, 1, 2, 3])) * DAY
        day = min(max(day, earliest or day), self.last_day)
        done, skipped = CARE_NOTES[kind]
        skip = rng.random() < 0.13
        note = rng.choice(skipped if skip else done)
        service = care_skip if skip else care_done

        def run(k=key, who=owner, n=note, f=service) -> None:
            action = CareAction.objects.filter(key=k, status=CareStatus.PENDING).first()
            if action is not None:  # the generation left out a customer lost meanwhile
                f(actor=who, action=action, note=n)

        self.add(self.moment(day, rng.randrange(9 * 60, 17 * 60 + 30, 5)), run)

    def plan_win_back(self) -> None:
        """Attempts to win lost customers back. Whatever the day of the load, the earliest
        lost has one that is overdue and still to do, and the next one has one planned for
        the coming weeks; the others' are spread over the last year."""
        rng = self.rng
        early = [c for c in self.early_lost if c.review_status == "approved"]
        lost = rng.sample(early, min(len(early), max(2, len(early) // 2)))
        lost += [c for c in self.live if c.pk in self.lost_on]
        lost_on_of = {c.pk: self.lost_on.get(c.pk, self.entered[c.pk]) for c in lost}
        by_loss = sorted(lost, key=lambda c: (lost_on_of[c.pk], c.pk))
        overdue = by_loss[0].pk if by_loss else None
        coming = by_loss[1].pk if len(by_loss) > 1 else None
        for index, customer in enumerate(lost):
            lost_on = lost_on_of[customer.pk]
            left_pending = customer.pk == overdue
            if left_pending:  # forgotten: due some days ago, not done yet
                created = self.today - rng.randint(8, 14) * DAY
                due = self.today - rng.randint(1, 5) * DAY
            elif customer.pk == coming or index % 3 == 0:  # planned for the coming weeks
                created = self.today - rng.randint(1, 10) * DAY
                due = self.today + rng.randint(3, 25) * DAY
            else:
                since = max(lost_on + 14 * DAY, self.care_since)
                if since >= self.today - 30 * DAY:
                    continue
                created = self.day_between(since, self.today - 30 * DAY)
                due = created + rng.randint(5, 20) * DAY
            if created <= lost_on:
                continue
            owner = customer.owner
            contacts = self.contacts.get(customer.pk, [])
            fields = {
                "actor": owner,
                "customer": customer,
                "due_date": due,
                "title": rng.choice(WIN_BACK_TITLES),
                "contact": contacts[0] if contacts else None,
            }
            state: dict[str, Any] = {}

            def create(f=fields, s=state) -> None:
                s["a"] = win_back_create(**f)

            steps = [(self.work_moment(created), create)]
            if due < self.today - 2 * DAY and not left_pending:
                done, skipped = CARE_NOTES["win_back"]
                skip = rng.random() < 0.25
                note = rng.choice(skipped if skip else done)
                service = care_skip if skip else care_done
                steps.append(
                    (
                        self.work_moment(due),
                        lambda o=owner, s=state, n=note, f=service: f(
                            actor=o, action=s["a"], note=n
                        ),
                    )
                )
            self.queue(steps)

    # --- afterwards ------------------------------------------------------------------------

    def settle_early_losses(self) -> None:
        """The customers the loader enters as lost are marked lost right after they are
        entered: date the loss, and its history entry, with the entry."""
        lost = Customer.all_objects.filter(status=CustomerStatus.LOST, lost_at__isnull=False)
        moments = {pk: at + 5 * MINUTE for pk, at in lost.values_list("pk", "created_at")}
        if not moments:
            return
        _write(Customer, ["lost_at"], [(pk, [at]) for pk, at in moments.items()])
        entries = AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer),
            object_id__in=list(moments),
            action=AuditAction.TRANSITION,
        ).values_list("pk", "object_id", "changes")
        rows = []
        for pk, object_id, changes in entries:
            at = moments[object_id]
            text = str(at.astimezone(datetime.UTC))
            new = [{**c, "new": text} if c.get("field") == "lost_at" else c for c in changes or []]
            rows.append((pk, [at, new]))
        _write(AuditLog, ["at", "changes"], rows)

    def remap(self) -> None:
        """Move every timestamp written during an event to the event's invented moment; a
        request's due time follows its (moved) opening."""
        start = self.clock.start
        for model in (Feedback, CareAction, IndustryNews, Competitor, Customer, Notification):
            names = [
                f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
            ]
            recent = reduce(or_, (Q(**{f"{name}__gte": start}) for name in names))
            rows = [
                (pk, [self.clock.map(value) for value in values])
                for pk, *values in model._base_manager.filter(recent).values_list("pk", *names)
            ]
            _write(model, names, rows)
        names = ["created_at", "updated_at", "assigned_at", "resolved_at", "closed_at"]
        rows = []
        for pk, priority, *values in ServiceRequest.objects.values_list("pk", "priority", *names):
            moved = [self.clock.map(value) for value in values]
            due, at_risk = due_times(moved[0], priority, self.settings)
            self.due[pk] = due
            rows.append((pk, [*moved, due, at_risk]))
        _write(ServiceRequest, [*names, "due_at", "at_risk_at"], rows)
        self.remap_history()

    def remap_history(self) -> None:
        """History entries: their time, and the moments recorded among their changes."""
        request_ct = ContentType.objects.get_for_model(ServiceRequest).pk
        moments, changed = [], []
        recent = AuditLog.objects.filter(at__gte=self.clock.start)
        for pk, at, kind, object_id, changes in recent.values_list(
            "pk", "at", "content_type", "object_id", "changes"
        ):
            moments.append((pk, [self.clock.map(at)]))
            new = []
            for change in changes or []:
                if kind == request_ct and change.get("field") == "due_at":
                    new.append({**change, "new": str(self.due[object_id].astimezone(datetime.UTC))})
                else:
                    old, value = change.get("old"), change.get("new")
                    new.append({**change, "old": self.map_text(old), "new": self.map_text(value)})
            if new != changes:
                changed.append((pk, [new]))
        _write(AuditLog, ["at"], moments)
        _write(AuditLog, ["changes"], changed)

    def map_text(self, value: Any) -> Any:
        return self.clock.map_text(value)

    def renumber(self) -> None:
        """The service numbers a request by the year it is entered — this year, for all of
        them: give each the number of the year it was opened, in order, and leave each year's
        counter where that year's numbers end."""
        rows = list(
            ServiceRequest.objects.order_by("created_at", "pk").values_list(
                "pk", "number", "created_at", "subject"
            )
        )
        counters: dict[str, int] = {}
        numbers: dict[int, str] = {}
        renamed: dict[str, str] = {}
        subjects: dict[int, str] = {}
        for pk, old, created, subject in rows:
            prefix = f"SR-{timezone.localtime(created):%Y}-"
            counters[prefix] = counters.get(prefix, 0) + 1
            numbers[pk] = f"{prefix}{counters[prefix]:05d}"
            renamed[old] = numbers[pk]
            subjects[pk] = subject
        _write(ServiceRequest, ["number"], [(pk, [f"DEMO-{pk}"]) for pk in numbers])
        _write(ServiceRequest, ["number"], [(pk, [number]) for pk, number in numbers.items()])
        for sequence in NumberSequence.objects.filter(key__startswith="SR-").order_by("pk"):
            sequence.last = counters.pop(sequence.key, 0)
            sequence.save(update_fields=["last"])
        for prefix, last in sorted(counters.items()):
            NumberSequence.objects.create(key=prefix, last=last)
        entries = AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(ServiceRequest)
        ).values_list("pk", "object_id", "changes")
        fixed = []
        for pk, object_id, changes in entries:
            if object_id not in numbers:
                continue
            new = [
                {**c, "new": renamed.get(c.get("new"), c.get("new"))}
                if c.get("field") == "number"
                else c
                for c in changes or []
            ]
            fixed.append((pk, [f"{numbers[object_id]} {subjects[object_id]}"[:300], new]))
        _write(AuditLog, ["object_repr", "changes"], fixed)
        notes = Notification.objects.filter(subject__in=list(renamed)).values_list("pk", "subject")
        _write(Notification, ["subject"], [(pk, [renamed[subject]]) for pk, subject in notes])

    def read_old_notifications(self) -> None:
        """People have read what the events notified them of, all but the last days'."""
        old = Notification.objects.filter(
            created_at__lt=self.now - 3 * 24 * HOUR, read_at__isnull=True
        ).order_by("created_at", "pk")
        rows = []
        for pk, created in old.values_list("pk", "created_at"):
            read = min(created + self.rng.uniform(0.2, 30) * HOUR, self.latest)
            rows.append((pk, [max(read, created)]))
        _write(Notification, ["read_at"], rows)


def load_service_demo(*, seed: int, users: dict[str, User]) -> dict[str, int]:
    """Add the service, care and market demo to the freshly loaded sales demo (inside its
    transaction), then run the scheduled work as of now, as the scheduler would."""
    demo = _ServiceDemo(seed=seed, users=users)
    demo.survey()
    demo.settle_early_losses()
    customers = max(len(demo.live) + len(demo.early_lost), 1)
    demo.plan_market()
    demo.plan_lost(max(3, round(customers * 0.03)))
    demo.plan_feedback(round(customers * 2.2))
    demo.plan_requests(round(customers * 0.9), len(RECENT) + round(customers * 0.03))
    demo.plan_care()
    demo.run()
    demo.remap()
    demo.renumber()
    demo.read_old_notifications()
    scheduled = run_scheduled()
    now = clock.now()
    requests = list(ServiceRequest.objects.only("status", "due_at", "at_risk_at", "resolved_at"))
    return {
        "feedback": Feedback.objects.count(),
        "service_requests": len(requests),
        "open_requests": sum(r.status in OPEN_STATUSES for r in requests),
        "breached_requests": sum(r.sla_state(now) == SlaState.BREACHED for r in requests),
        "care_actions": CareAction.objects.count(),
        "care_made_today": scheduled["follow_ups"] + scheduled["birthdays"] + scheduled["holidays"],
        "competitors": Competitor.objects.count(),
        "news": IndustryNews.objects.count(),
        "lost_customers": Customer.objects.filter(status=CustomerStatus.LOST).count(),
        "notifications": Notification.objects.count(),
    }
