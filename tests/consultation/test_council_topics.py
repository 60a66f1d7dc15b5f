"""A council's topics page: what was raised to it, with the public fields of the cases behind it."""

from tests.feedback.conftest import feedback_town, file_case  # noqa: F401  (a fixture)
from tests.helpers import page_text
from tongxin.feedback.actions import raise_topic, set_published


def test_the_council_office_reads_the_topics_raised_with_their_cases(client, feedback_town, django_assert_max_num_queries):  # noqa: F811
    town = feedback_town
    bins = file_case(town, description="垃圾桶满了没人清理", reporter_name="王芳")
    smell = file_case(town, description="垃圾站气味很大", privacy="anonymous")
    private = file_case(town, description="我家门口的垃圾桶坏了，我叫李四")
    set_published(case=private, actor=town.handler, published=False)
    raise_topic(cases=[bins, smell, private], actor=town.handler, council=town.council, title="村里垃圾清运不及时")

    with django_assert_max_num_queries(6):
        response = client.get(f"/councils/{town.council.pk}/topics/")

    text = page_text(response)
    assert response.status_code == 200
    assert "Topics for Xiaozhai Council" in text
    assert "村里垃圾清运不及时 Proposed · Residents' cases" in text
    # Newest case first; the unpublished one is left out.
    assert "2 cases behind it 垃圾站气味很大 · Litter and rubbish · Submitted 垃圾桶满了没人清理 · Litter and rubbish · Submitted" in text
    for hidden in ("李四", "王芳", bins.code, smell.code):
        assert hidden not in response.content.decode()


def test_a_council_without_topics_says_so_and_other_organisations_have_no_topics_page(client, feedback_town):  # noqa: F811
    assert "No topic has been raised to this council yet." in page_text(client.get(f"/councils/{feedback_town.council.pk}/topics/"))
    assert client.get(f"/councils/{feedback_town.xiaozhai.pk}/topics/").status_code == 404
    assert client.get("/councils/999999/topics/").status_code == 404


def test_the_case_page_and_the_council_page_link_to_the_topics(client, feedback_town):  # noqa: F811
    from tests.helpers import sign_in

    case = file_case(feedback_town)
    topic = raise_topic(cases=[case], actor=feedback_town.handler, council=feedback_town.council, title="垃圾清运")
    sign_in(client, feedback_town.handler)
    assert f'/councils/{feedback_town.council.pk}/topics/#topic-{topic.pk}' in client.get(f"/cases/{case.code}/").content.decode()
    assert f'/councils/{feedback_town.council.pk}/topics/' in client.get(feedback_town.council.get_absolute_url()).content.decode()
    assert f'/board/{feedback_town.xiaozhai.pk}/' in client.get(feedback_town.xiaozhai.get_absolute_url()).content.decode()
