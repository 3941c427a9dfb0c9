"""Sensible starting entries for every reference list except regions (load those with
`manage.py load_regions`). Administrators edit, reorder and deactivate them afterwards."""

from django.db import migrations

# model: [(code, Chinese name, English name, extra fields)]
DEFAULTS = {
    "CustomerCategory": [
        ("OEM", "主机厂", "OEM", {}),
        ("DIST", "经销商", "Distributor", {}),
        ("REPAIR", "维修厂", "Repair shop", {}),
        ("END", "终端用户", "End user", {}),
        ("EXPORT", "外贸客户", "Export customer", {}),
    ],
    "CustomerLevel": [
        ("VIP", "重点客户", "Key account", {}),
        ("NORMAL", "普通客户", "Regular", {}),
        ("SMALL", "小客户", "Small", {}),
    ],
    "Industry": [
        ("AUTO_PARTS", "汽车零部件", "Auto parts", {}),
        ("AUTO_OEM", "整车制造", "Vehicle manufacturing", {}),
        ("MACHINERY", "通用机械", "General machinery", {}),
        ("CONSTRUCTION", "工程机械", "Construction machinery", {}),
        ("AGRI", "农业机械", "Agricultural machinery", {}),
        ("LOGISTICS", "物流运输", "Logistics", {}),
    ],
    "JobTitle": [
        ("GM", "总经理", "General manager", {}),
        ("PURCHASE_MGR", "采购经理", "Purchasing manager", {}),
        ("BUYER", "采购员", "Buyer", {}),
        ("ENGINEER", "工程师", "Engineer", {}),
        ("FINANCE", "财务", "Finance", {}),
        ("OWNER", "老板", "Owner", {}),
    ],
    "ProjectType": [
        ("NEW", "新品配套", "New programme supply", {}),
        ("REPLACE", "替换件", "Replacement parts", {}),
        ("EQUIPMENT", "设备采购", "Equipment purchase", {}),
        ("SERVICE", "维保服务", "Maintenance service", {}),
    ],
    "WorkMethod": [
        ("VISIT", "上门拜访", "Visit", {}),
        ("PHONE", "电话", "Phone", {}),
        ("EMAIL", "邮件", "Email", {}),
        ("WECHAT", "微信", "WeChat", {}),
        ("MEETING", "会议", "Meeting", {}),
        ("EXHIBITION", "展会", "Trade show", {}),
    ],
    "CustomerSource": [
        ("REFERRAL", "客户介绍", "Referral", {}),
        ("EXHIBITION", "展会", "Trade show", {}),
        ("WEBSITE", "官网", "Website", {}),
        ("COLD_CALL", "电话开发", "Cold call", {}),
        ("TENDER", "招标", "Tender", {}),
    ],
    "OpportunityStage": [
        ("INITIAL", "初步接触", "Initial contact", {"default_probability": 10}),
        ("NEEDS", "需求分析", "Needs analysis", {"default_probability": 25}),
        ("PROPOSAL", "方案报价", "Proposal / quote", {"default_probability": 50}),
        ("NEGOTIATION", "商务谈判", "Negotiation", {"default_probability": 75}),
        ("COMMIT", "待签约", "Ready to sign", {"default_probability": 90}),
    ],
    "ServiceRequestType": [
        ("CONSULT", "售前咨询", "Pre-sale consultation", {"phase": "pre_sale"}),
        ("IN_SALE", "售中服务", "In-sale service", {"phase": "in_sale"}),
        ("COMPLAINT", "投诉", "Complaint", {"phase": "after_sale", "is_complaint": True}),
        ("MAINTENANCE", "保养", "Maintenance", {"phase": "after_sale"}),
        ("REPAIR", "维修", "Repair", {"phase": "after_sale"}),
    ],
    "ComplaintCategory": [
        ("QUALITY", "产品质量", "Product quality", {}),
        ("DELIVERY", "交货延误", "Late delivery", {}),
        ("SERVICE", "服务态度", "Service attitude", {}),
        ("PRICE", "价格争议", "Price dispute", {}),
    ],
    "LostReason": [
        ("PRICE", "价格偏高", "Price too high", {}),
        ("COMPETITOR", "竞争对手", "Lost to competitor", {}),
        ("NO_BUDGET", "预算取消", "No budget", {}),
        ("QUALITY", "质量顾虑", "Quality concerns", {}),
        ("TIMING", "交期不满足", "Lead time", {}),
    ],
}


def create(apps, schema_editor):
    for model_name, entries in DEFAULTS.items():
        model = apps.get_model("reference", model_name)
        for position, (code, name, name_en, extra) in enumerate(entries, start=1):
            model.objects.get_or_create(
                code=code,
                defaults={"name": name, "name_en": name_en, "sort_order": position * 10, **extra},
            )


def remove(apps, schema_editor):
    for model_name, entries in DEFAULTS.items():
        apps.get_model("reference", model_name).objects.filter(
            code__in=[e[0] for e in entries]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
