import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongxin.feedback.similarity import (
    Candidate,
    Match,
    distance_metres,
    rank_duplicates,
    text_features,
    text_similarity,
)

LAMP = "小区门口路灯坏了"
# Two points 0.001° of latitude apart are about 111 m apart.
GATE = (30.0, 120.0)


def north_of_gate(metres: float) -> tuple[float, float]:
    return GATE[0] + metres / 111_195.0, GATE[1]


def candidate(key: int, text: str, **changes) -> Candidate:
    values = {"lat": GATE[0], "lon": GATE[1], "same_place": False, "age_days": 0.0} | changes
    return Candidate(key=key, text=text, **values)


def test_chinese_is_cut_into_character_pairs():
    assert text_features(LAMP) == frozenset({"小区", "区门", "门口", "口路", "路灯", "灯坏", "坏了"})


def test_a_lone_chinese_character_stays_a_feature():
    assert text_features("3号 楼") == frozenset({"3", "号", "楼"})


def test_punctuation_width_and_case_do_not_matter():
    assert text_features("ＳＴＲＥＥＴ　Light!!") == frozenset({"street", "light"})
    assert text_features("路灯，坏了。") == text_features("路灯 坏了")


def test_english_stop_words_and_plurals_are_dropped():
    assert text_features("The lights are broken at the gate") == frozenset(
        {"light", "broken", "gate"}
    )
    assert text_features("the glass is broken") == frozenset({"glass", "broken"})


def test_mixed_text_keeps_numbers_and_words():
    assert text_features("3号楼 lift 坏了") == frozenset({"3", "号楼", "lift", "坏了"})


def test_similar_chinese_reports():
    assert text_similarity(LAMP, "小区门口的路灯不亮了") == 0.5
    assert text_similarity(LAMP, "垃圾桶满了没人清理") == 0.0


def test_similar_english_reports():
    assert text_similarity("The street light is broken", "Street lights broken again") == 6 / 7
    assert text_similarity("The street light is broken", "Rubbish bins overflowing") == 0.0


def test_mixed_reports():
    # {3, 号楼, 楼电, 电梯, 梯坏, 坏了, lift, broken} and {3, 号楼, 电梯, 坏了}
    assert text_similarity("3号楼电梯坏了 lift broken", "3号楼 电梯 坏了") == 2 * 4 / (8 + 4)


def test_empty_or_featureless_text_is_similar_to_nothing():
    assert text_similarity("", "") == 0.0
    assert text_similarity(LAMP, "") == 0.0
    assert text_similarity("the a is", "the a is") == 0.0
    assert text_similarity("！？。", "！？。") == 0.0


def test_distance_between_beijing_and_shanghai():
    assert distance_metres(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(
        1_067_300, rel=1e-3
    )


def test_distance_across_the_antimeridian():
    assert distance_metres(0.0, 179.9995, 0.0, -179.9995) == pytest.approx(111.2, abs=0.1)


def test_same_report_at_the_same_spot_today_scores_one():
    assert rank_duplicates(LAMP, *GATE, [candidate(7, LAMP)]) == [
        Match(key=7, score=1.0, text_score=1.0, distance=0.0)
    ]


def test_similar_report_nearby_is_found_and_another_problem_is_not():
    candidates = [
        candidate(1, "垃圾桶满了没人清理"),
        candidate(2, "小区门口的路灯不亮了", lat=north_of_gate(200)[0]),
    ]

    [match] = rank_duplicates(LAMP, *GATE, candidates)

    assert (match.key, match.score, match.text_score) == (2, 0.5, 0.5)
    assert match.distance == pytest.approx(200, abs=0.5)


def test_nearness_fades_between_300_metres_and_2_km():
    candidates = [
        candidate(1, LAMP, lat=north_of_gate(300)[0]),
        candidate(2, LAMP, lat=north_of_gate(1150)[0]),
        candidate(3, LAMP, lat=north_of_gate(5000)[0]),
    ]

    scores = {match.key: match.score for match in rank_duplicates(LAMP, *GATE, candidates)}

    assert scores[1] == pytest.approx(1.0, abs=1e-6)
    assert scores[2] == pytest.approx(0.85, abs=1e-4)
    assert scores[3] == pytest.approx(0.7)


def test_recency_fades_over_thirty_days():
    candidates = [
        candidate(1, LAMP, age_days=15),
        candidate(2, LAMP, age_days=30),
        candidate(3, LAMP, age_days=400),
    ]

    assert [(m.key, m.score) for m in rank_duplicates(LAMP, *GATE, candidates)] == [
        (1, pytest.approx(0.9)),
        (2, pytest.approx(0.8)),
        (3, pytest.approx(0.8)),
    ]


def test_without_points_the_same_place_counts_as_near():
    candidates = [
        candidate(1, LAMP, lat=None, lon=None, same_place=True),
        candidate(2, LAMP, lat=None, lon=None, same_place=False),
    ]

    matches = rank_duplicates(LAMP, None, None, candidates)

    assert matches == [
        Match(key=1, score=1.0, text_score=1.0, distance=None),
        Match(key=2, score=0.7, text_score=1.0, distance=None),
    ]


def test_a_missing_point_on_one_side_falls_back_to_same_place():
    matches = rank_duplicates(LAMP, *GATE, [candidate(1, LAMP, lat=None, same_place=True)])

    assert matches == [Match(key=1, score=1.0, text_score=1.0, distance=None)]


def test_a_different_problem_at_the_same_spot_is_not_a_duplicate():
    assert rank_duplicates(LAMP, *GATE, [candidate(1, "垃圾桶满了没人清理")], threshold=0.01) == []


def test_ties_go_to_the_lower_key_and_limit_cuts():
    candidates = [candidate(key, LAMP) for key in (9, 3, 5, 1)]

    assert [m.key for m in rank_duplicates(LAMP, *GATE, candidates, limit=3)] == [1, 3, 5]
    assert rank_duplicates(LAMP, *GATE, candidates, limit=0) == []


def test_threshold_is_inclusive():
    far_and_old = candidate(1, LAMP, lat=None, lon=None, age_days=60)  # score exactly 0.5

    assert [m.key for m in rank_duplicates(LAMP, *GATE, [far_and_old], threshold=0.5)] == [1]
    assert rank_duplicates(LAMP, *GATE, [far_and_old], threshold=0.51) == []


# Properties -----------------------------------------------------------------------------------

words = st.sampled_from(
    ["路灯", "坏了", "小区", "门口", "垃圾", "清理", "电梯", "3号楼", "light", "broken", "the", "lift"]
)
texts = st.one_of(st.text(max_size=40), st.lists(words, max_size=8).map(" ".join))
latitudes = st.floats(-89.9, 89.9)
longitudes = st.floats(-180.0, 180.0)
candidates = st.builds(
    Candidate,
    key=st.integers(0, 1_000),
    text=texts,
    lat=st.none() | st.floats(29.9, 30.1),
    lon=st.none() | st.floats(119.9, 120.1),
    same_place=st.booleans(),
    age_days=st.floats(0, 90),
)


@given(texts, texts)
def test_similarity_is_symmetric_and_bounded(a, b):
    score = text_similarity(a, b)

    assert score == text_similarity(b, a)
    assert 0.0 <= score <= 1.0


@given(texts)
def test_identical_text_with_features_is_fully_similar(text):
    expected = 1.0 if text_features(text) else 0.0

    assert text_similarity(text, text) == expected


@given(texts, st.none() | st.floats(29.9, 30.1), st.lists(candidates, max_size=12))
def test_rank_duplicates_is_sorted_limited_and_above_threshold(text, lat, found):
    lon = None if lat is None else 120.0

    matches = rank_duplicates(text, lat, lon, found, limit=4, threshold=0.2)

    assert len(matches) <= 4
    assert all(0.2 <= match.score <= 1.0 for match in matches)
    assert all(0.0 <= match.text_score <= 1.0 for match in matches)
    assert [(-m.score, m.key) for m in matches] == sorted((-m.score, m.key) for m in matches)
    assert {m.key for m in matches} <= {c.key for c in found}


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_bounded(lat1, lon1, lat2, lon2):
    distance = distance_metres(lat1, lon1, lat2, lon2)

    assert distance == distance_metres(lat2, lon2, lat1, lon1)
    assert 0.0 <= distance <= 20_040_000


@given(latitudes, longitudes)
def test_distance_to_the_same_point_is_zero(lat, lon):
    assert distance_metres(lat, lon, lat, lon) == 0.0
