"""Seed the categories a resident chooses from (the Open311 services), with their deadline tiers.

Names are data in both languages, like sector names. Tiers follow RULES.md §3: utilities have
their own tier; anything a reporter marks as danger to life or property becomes an emergency.
"""

from django.db import migrations

# (code, group, Chinese name, English name, tier)
DEFAULT_CATEGORIES = [
    ("roads", "infrastructure", "道路与桥梁", "Roads and bridges", "general"),
    ("street_lights", "infrastructure", "路灯照明", "Street lights", "general"),
    ("water", "utilities", "供水排水", "Water supply and drains", "utilities"),
    ("power", "utilities", "供电", "Electricity", "utilities"),
    ("gas", "utilities", "燃气", "Gas", "utilities"),
    ("heating", "utilities", "供暖", "Heating", "utilities"),
    ("sanitation", "environment", "环境卫生与垃圾", "Litter and rubbish", "general"),
    ("noise", "environment", "噪声与污染", "Noise and pollution", "general"),
    ("greenery", "environment", "绿化", "Trees and green spaces", "general"),
    ("public_safety", "safety", "治安与安全隐患", "Public safety hazards", "general"),
    ("parking", "safety", "停车与交通秩序", "Parking and traffic", "general"),
    ("property_management", "housing", "物业管理", "Property management", "general"),
    ("neighbour_disputes", "housing", "邻里纠纷", "Disputes between neighbours", "complex"),
    ("elderly_care", "services", "养老与助残", "Care for the elderly and disabled", "general"),
    ("social_assistance", "services", "社会救助", "Social assistance", "complex"),
    ("village_affairs", "governance", "村务与财务公开", "Village affairs and finances", "complex"),
    ("land_and_housing", "governance", "土地与宅基地", "Land and homesteads", "complex"),
    ("suggestion", "governance", "意见建议", "Suggestions for improvement", "general"),
    ("other", "other", "其他", "Other", "general"),
]

GROUPS = {
    "infrastructure": "基础设施",
    "utilities": "水电气暖",
    "environment": "环境",
    "safety": "安全与秩序",
    "housing": "住房与邻里",
    "services": "民生服务",
    "governance": "村(居)务",
    "other": "其他",
}


def seed_categories(apps, schema_editor):
    Category = apps.get_model("feedback", "Category")
    for order, (code, group, name, name_en, tier) in enumerate(DEFAULT_CATEGORIES):
        # An administrator may have changed a category already: keep their settings.
        Category.objects.get_or_create(
            code=code,
            defaults={"group": GROUPS[group], "name": name, "name_en": name_en, "tier": tier, "order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_case_ledger_append_only")]

    # Unapplying keeps the categories: cases may already refer to them.
    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
