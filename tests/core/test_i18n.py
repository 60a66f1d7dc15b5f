from django.utils import translation

from tongxin.core.i18n import join_list, localised


def test_lists_are_joined_as_each_language_writes_them():
    with translation.override("en"):
        assert join_list(["Chen Jianguo", "Li Xiuying"]) == "Chen Jianguo, Li Xiuying"
    with translation.override("zh-hans"):
        assert join_list(["陈建国", "李秀英"]) == "陈建国、李秀英"


def test_english_text_is_used_only_for_english_readers_and_only_when_it_exists():
    with translation.override("en"):
        assert localised("溪口村", "Xikou Village") == "Xikou Village"
        assert localised("溪口村", "") == "溪口村"
    with translation.override("zh-hans"):
        assert localised("溪口村", "Xikou Village") == "溪口村"
