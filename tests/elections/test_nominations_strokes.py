"""Surname-stroke order (姓氏笔画排序): worked examples from the mainland standard's stroke counts
and orders, and properties of the sort key."""

from hypothesis import given
from hypothesis import strategies as st

from tongxin.elections.strokes import name_key, sort_names, stroke_count, stroke_order


def test_stroke_counts_of_common_surnames():
    counts = {character: stroke_count(character) for character in "王李张刘陈赵丁马范黄欧阳"}
    assert counts == {
        "王": 4, "李": 7, "张": 7, "刘": 6, "陈": 7, "赵": 9, "丁": 2, "马": 3,
        "范": 8,  # 艹 is 3 strokes in the mainland standard (Unihan counts 9)
        "黄": 11, "欧": 8, "阳": 6,
    }


def test_a_slip_in_the_data_is_corrected():
    assert (stroke_count("达"), stroke_order("达")) == (6, "134454")


def test_stroke_order_is_read_as_heng_shu_pie_dian_zhe():
    assert stroke_order("王") == "1121"  # 横 横 竖 横
    assert stroke_order("丁") == "12"  # 横 竖
    assert stroke_order("A") is None


def test_fewer_surname_strokes_first():
    assert sort_names(["赵敏", "王芳", "丁一", "马三", "刘洋"]) == ["丁一", "马三", "王芳", "刘洋", "赵敏"]


def test_same_count_by_the_order_of_strokes():
    # Seven strokes each: 李 and 杨 begin 横, 吴 竖, 张 and 陈 折; 李 12345-2 before 杨 12345-3,
    # 张 5-1 before 陈 5-2.
    assert sort_names(["陈静", "张伟", "吴刚", "杨磊", "李书记"]) == ["李书记", "杨磊", "吴刚", "张伟", "陈静"]


def test_same_surname_by_the_following_characters():
    assert sort_names(["王芳", "王五", "王", "王丁"]) == ["王", "王丁", "王五", "王芳"]


def test_the_branch_in_list_order():
    names = ["李书记", "王芳", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周丽", "吴刚", "徐红", "孙涛"]
    assert sort_names(names) == [
        "王芳", "刘洋", "孙涛", "李书记", "杨磊", "吴刚", "张伟", "陈静", "周丽", "赵敏", "徐红", "黄强",
    ]


def test_compound_surname_counts_its_characters_together():
    # 欧阳 is 8 + 6 = 14 strokes, after 黄 (11); without the surname given, 欧 alone is 8.
    assert sorted(["欧阳修", "黄强"], key=lambda name: name_key(name, "欧阳" if name.startswith("欧阳") else "")) == [
        "黄强", "欧阳修",
    ]
    assert sort_names(["欧阳修", "黄强"]) == ["欧阳修", "黄强"]


def test_latin_names_after_chinese_by_letters():
    assert sort_names(["smith", "Adams", "王芳", "Brown"]) == ["王芳", "Adams", "Brown", "smith"]


def test_han_characters_without_data_after_those_with():
    # U+3400 (extension A) is not in the data; it sorts after every surname that is.
    assert sort_names(["\u3400一", "龘一", "丁一"]) == ["丁一", "龘一", "\u3400一"]


names = st.text(alphabet=st.sampled_from(list("王李张刘陈赵丁马范黄欧阳芳伟一二三㐀abcZ ")), min_size=1, max_size=4)


@given(st.lists(names, max_size=12))
def test_order_does_not_depend_on_the_order_given(given_names):
    assert sort_names(given_names) == sort_names(list(reversed(given_names)))


@given(names, names)
def test_different_names_never_tie(first, second):
    if first.strip() != second.strip():
        assert name_key(first) != name_key(second)


@given(st.sampled_from(list("王李张刘陈赵丁马范黄")), st.sampled_from(list("王李张刘陈赵丁马范黄")), names, names)
def test_surname_strokes_decide_before_the_given_name(surname_a, surname_b, given_a, given_b):
    count_a, count_b = stroke_count(surname_a), stroke_count(surname_b)
    if count_a < count_b:
        assert name_key(surname_a + given_a.strip()) < name_key(surname_b + given_b.strip())


@given(names.filter(lambda name: name.strip() and name.strip()[0] in "王李张刘陈赵丁马范黄欧阳芳伟一二三"),
       st.text(alphabet="abcxyzABC", min_size=1, max_size=5))
def test_chinese_before_latin(chinese, latin):
    assert name_key(chinese) < name_key(latin)
