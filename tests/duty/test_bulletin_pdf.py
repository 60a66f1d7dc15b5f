"""The bulletin's A4 poster for the village notice board: one A4 page, in the reader's language,
Chinese drawn with the Noto CJK font, the lists cut to fit with "and N more".

The posters are also drawn as PNG (poppler's pdftoppm) into tests/e2e/screenshots/, for a person
to look at.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.duty.test_bulletin import DAY, EN, PRIVATE, Scene, meeting, problem, scene  # noqa: F401  (fixture)
from tongxin.duty.models import MorningMeeting, WeeklyTask
from tongxin.feedback.actions import answer_case

ZH = {"accept-language": "zh-hans"}
A4 = (595.3, 841.9)  # points
SCREENSHOTS = Path(__file__).parents[1] / "e2e" / "screenshots"


def poster(client, scene: Scene, headers: dict[str, str], query: str = ""):
    response = client.get(f"{scene.url}poster.pdf{query}", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def read(response) -> tuple[PdfReader, str]:
    """The PDF and its text, whitespace collapsed (pypdf breaks lines where the poster wraps)."""
    pdf = PdfReader(io.BytesIO(response.content))
    return pdf, " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


def flat(text: str) -> str:
    """Text with no spaces at all: a wrapped Chinese line comes back with a space in it."""
    return re.sub(r"\s+", "", text)


def fonts(pdf: PdfReader) -> set[str]:
    found = set()
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


def draw(response, name: str) -> Path:
    """The poster as a PNG (100 dpi) where people look at screenshots."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) draws the poster as PNG: apt-get install poppler-utils")
    SCREENSHOTS.mkdir(exist_ok=True)
    target = SCREENSHOTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", "-", str(target)], input=response.content, check=True)
    return target.with_suffix(".png")


def test_the_poster_is_one_a4_page_with_the_week_in_english(client, scene):
    response = poster(client, scene, EN)
    assert draw(response, "bulletin-poster-en").exists()
    assert response["Content-Disposition"] == f'inline; filename="East Village-{scene.serving.week.start:%Y-%m-%d}.pdf"'
    pdf, text = read(response)
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - A4[0]) < 1 and abs(float(box.height) - A4[1]) < 1
    assert text.startswith("Weekly bulletin of the duty team East Village Week of")
    for line in (
        "On duty this week", "This week's tasks", "✓ Done 修好村口路灯", "… Under way 走访独居老人",
        "Problems raised by villagers", "A problem kept off the public board", "Carried over from earlier weeks",
        "Morning meetings Day Place Villagers", "Next week, from",
    ):
        assert line in text, line
    monday, tuesday = scene.serving.week.start, scene.serving.week.start + DAY
    meetings = (f"{monday:%a}{monday:%B}{monday.day}村委会12", f"{tuesday:%a}{tuesday:%B}{tuesday.day}文化礼堂8")
    for words in (*meetings, "村口路灯坏了三盏，晚上看不见路", "水渠堵塞，农田灌不上水", "垃圾站三天没人清理", "已于周二换好三盏路灯。", *scene.team):
        assert words in flat(text), words
    assert f"online:http://testserver{scene.url}" in flat(text)  # the bulletin of whichever week it is
    assert [word for word in PRIVATE if word in flat(text)] == []


def test_the_poster_reads_chinese_with_the_noto_cjk_font(client, scene):
    response = poster(client, scene, ZH)
    assert draw(response, "bulletin-poster-zh").exists()
    week = scene.serving.week.start
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''%E4%B8%9C%E6%9D%91-{week:%Y-%m-%d}.pdf"  # 东村-…
    pdf, text = read(response)
    assert len(pdf.pages) == 1
    assert "东村" in flat(text)  # the village's Chinese name, for a Chinese reader
    assert "修好村口路灯" in flat(text) and "走访独居老人" in flat(text)
    assert {font.split("+")[-1] for font in fonts(pdf)} == {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


def test_a_past_week_has_its_own_poster(client, scene):
    last_week = scene.serving.week.start - 7 * DAY
    response = poster(client, scene, EN, f"?week={last_week + 2 * DAY:%Y-%m-%d}")
    assert response["Content-Disposition"] == f'inline; filename="East Village-{last_week:%Y-%m-%d}.pdf"'
    _pdf, text = read(response)
    assert "垃圾站三天没人清理" in flat(text)
    assert "修好村口路灯" not in flat(text)


def test_a_crowded_week_still_fits_one_page_and_says_how_many_more(client, scene):
    week, village = scene.serving.week, scene.village
    member = scene.serving.team("东村")[0].volunteer.person.user
    for offset in range(2, 7):
        held = meeting(week, village, week.start + offset * DAY, 40 + offset, place="村委会二楼会议室")
        for number in range(1, 7):
            case = problem(
                held, number, f"第{offset}天第{number}个问题：" + "村里的道路坑洼不平，下雨天积水严重，老人孩子出行很不方便" * 3,
                actor=member, category="roads",
            )
            if number == 1:
                answer_case(case=case, actor=scene.serving.town.admin, text="已安排施工队修补路面，" * 20)
    for number in range(12):
        WeeklyTask.objects.create(
            week=week, village=village, title=f"任务{number}：" + "组织村民清理河道垃圾并做好宣传" * 10,
            progress="已完成一半，正在联系镇里的环卫所派车支援，预计周五前完成全部工作" * 5,
        )
    earlier = MorningMeeting.objects.get(village=village, held_on=week.start - 5 * DAY)
    for number in range(2, 10):
        problem(earlier, number, f"上周第{number}个问题：" + "自来水管道老化漏水" * 5, actor=scene.serving.town.admin, category="water")
    assert MorningMeeting.objects.filter(week=week, village=village).count() == 7
    texts = {}
    for headers, name in ((EN, "bulletin-poster-crowded-en"), (ZH, "bulletin-poster-crowded-zh")):
        response = poster(client, scene, headers)
        draw(response, name)
        pdf, texts[name] = read(response)
        assert len(pdf.pages) == 1, name
    text = texts["bulletin-poster-crowded-en"]
    # The roomiest limits that fit: 4 of 14 tasks, 4 of 33 problems heard, 2 of 9 carried over.
    assert re.findall(r"and (\d+) more", text) == ["10", "29", "7"]
    assert "33 Heard this week 9 Carried over 6 Answered 36 Still open" in text
