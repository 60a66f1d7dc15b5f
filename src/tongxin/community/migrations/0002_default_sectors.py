"""Seed the sectors a consultation council member may represent (RULES.md §2, the Linhai source).

Sector names are data in both languages, like organisation names: the Chinese name is the one
used on the ground, the English one serves English readers.
"""

from django.db import migrations

# (code, Chinese name, English name). Codes are stable: the demo town and imports refer to them.
DEFAULT_SECTORS = [
    # Town councils (Linhai): village organisations, unions, chambers of commerce, social sectors,
    # party congress, people's congress and CPPCC members, enterprises, veteran cadres.
    ("village_organisations", "村级组织", "Village organisations"),
    ("trade_unions", "工会", "Trade unions"),
    ("chambers_of_commerce", "商会", "Chambers of commerce"),
    ("enterprises", "企事业单位", "Enterprises and public institutions"),
    ("veteran_cadres", "老干部", "Veteran cadres"),
    ("party_congress", "党代表", "Party congress delegates"),
    ("peoples_congress", "人大代表", "People's congress deputies"),
    ("cppcc", "政协委员", "CPPCC members"),
    # Village councils: the branch, the village committee, the supervisory committee, women, youth,
    # the elderly, villagers working away from home.
    ("party_branch", "村党组织", "Village party organisation"),
    ("village_committee", "村民委员会", "Village committee"),
    ("supervisory_committee", "村务监督委员会", "Village affairs supervisory committee"),
    ("comprehensive_governance", "综治组织", "Comprehensive governance organisation"),
    ("womens_committee", "妇女委员会", "Women's committee"),
    ("youth_league", "共青团", "Communist Youth League"),
    ("senior_association", "老年人协会", "Senior citizens' association"),
    ("working_elsewhere", "在外人士", "Residents working elsewhere"),
    # Community consultation parties (party groups and community consultation source).
    ("town_government", "乡镇政府", "Town government"),
    ("social_organisations", "社会组织", "Social organisations"),
    ("cooperatives", "农民专业合作社", "Farmers' cooperatives"),
    ("property_companies", "物业服务企业", "Property management companies"),
    ("permanent_residents", "常住居民", "Permanent residents"),
    ("non_permanent_residents", "非常住居民", "Non-permanent residents"),
]


def seed_sectors(apps, schema_editor):
    Sector = apps.get_model("community", "Sector")
    for code, name, name_en in DEFAULT_SECTORS:
        # An administrator may have renamed a sector already: keep their names.
        Sector.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    # Unapplying keeps the sectors: people and council seats may already refer to them.
    operations = [migrations.RunPython(seed_sectors, migrations.RunPython.noop)]
