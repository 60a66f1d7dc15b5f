"""A party branch elects its committee in the browser, as issue 5 says it is done: the election
committee prepares the election and publishes the roll; members are nominated, accept and are
approved; the member assembly's motion fixes the candidate list; ten of the twelve members vote;
two candidates tie at the cut-off for the last seat and a further vote among them decides; the
scrutineer signs every round and the committee publishes the result, which anyone may read and
recount, each voter finding their own ballot by its receipt.

Every step goes through the pages, as the committee, the members and the scrutineer would take
it, each in their own browser. Most ballots are posted with Django's test client to the same
ballot form (the browser casts a few), to keep the journey quick.
"""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import SCREENS, SCREENSHOTS
from tests.e2e.test_case_journey import fits_the_screen, signed_in_context
from tests.elections.conftest import Village, village  # noqa: F401  (fixture)
from tests.helpers import page_text, sign_in
from tongxin.core.audit import verify_chain
from tongxin.elections.models import Candidate, Election, Motion, Phase, RoundStatus, VotingRound
from tongxin.elections.strokes import name_key

pytestmark = pytest.mark.e2e

TITLE = "小寨村党支部委员会换届选举"
NOMINATED_BY_THE_BRANCH = ["member02", "member03", "member07"]  # 王芳, 张伟, 赵敏
SELF_NOMINATED = "member05"  # 陈静
SCRUTINEER = "member08"  # 黄强, not a candidate
MINUTES = "党员大会选举支部委员会：应到12人，实到10人。第一轮王芳、张伟当选，陈静、赵敏票数相等，另行投票，陈静当选。"
# The surnames by strokes: 王 4, 张 7, 陈 7 (张 before 陈 by the order of their strokes), 赵 9.
WANG, ZHANG, CHEN, ZHAO = "王芳", "张伟", "陈静", "赵敏"

# Ten of the twelve members vote (刘洋 and 杨磊 in the browser); 徐红 and 孙涛 do not. Marks for
# 王芳, 张伟, 陈静, 赵敏: a approve, d disapprove, n abstain.
FIRST_ROUND = [
    ("member04", "aaad"), ("member01", "aaad"), ("member02", "aaad"),
    ("member06", "aada"), ("member03", "aada"), ("member05", "aada"),
    ("member07", "adaa"),
    ("member08", "daaa"),
    ("member09", "adaa"),
    ("member10", "aann"),
]  # 王芳 9, 张伟 8, 陈静 6, 赵敏 6: two elected, a tie for the last seat
IN_THE_BROWSER = {"member04", "member06"}
# The further vote among 陈静 and 赵敏: six for 陈静, four for 赵敏.
TIE_BREAK = [(account, "ad" if index < 6 else "da") for index, (account, _marks) in enumerate(FIRST_ROUND)]
MARK_LABELS = {"a": "Approve", "d": "Disapprove", "n": "Abstain"}


def days_pass(election: Election, days: int) -> None:
    """The test stands in for the calendar: the election's dates move `days` into the past, as if
    that many days had gone by. The only change made to the database behind the pages' back."""
    election.refresh_from_db()
    moved = {
        field.name: getattr(election, field.name) - datetime.timedelta(days=days)
        for field in Election._meta.concrete_fields
        if field.get_internal_type() in ("DateField", "DateTimeField") and getattr(election, field.name) is not None
    }
    Election.objects.filter(pk=election.pk).update(**moved)


def shot(page: Page, screen: str, step: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"election_journey-{screen}-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def nomination_card(page: Page, name: str) -> Any:
    return page.locator("li.nomination").filter(has=page.get_by_role("heading", name=name, exact=True))


def round_section(page: Page, number: int) -> Locator:
    """Round `number` on the rounds and result pages."""
    return page.locator(f"section:has(#round-{number})")


def tally(scope: Locator) -> list[tuple[str, str, str]]:
    """The round's table of votes as read: name, votes, outcome."""
    expect(scope.locator("table.tally")).to_be_visible()
    rows = scope.locator("table.tally tbody tr")
    return [
        (row.locator("th").inner_text().strip(), *(cell.strip() for cell in row.locator("td").all_inner_texts()))
        for row in rows.all()
    ]


def facts(scope: Locator) -> dict[str, str]:
    """The round's numbers as read: label → value."""
    items = scope.locator("dl.round-facts > div")
    return {item.locator("dt").inner_text().strip(): item.locator("dd").inner_text().strip() for item in items.all()}


def vote_in_the_browser(voter: Page, election: Election, marks: dict[int, str], screen: str, step: str) -> str:
    """The voter marks every candidate, reviews the ballot, casts it and reads the receipt."""
    voter.goto(reverse("elections:election", args=[election.pk]))
    voter.get_by_role("link", name="Vote now").click()
    expect(voter.get_by_role("heading", name="Your ballot", exact=True)).to_be_visible()
    for candidate_pk, mark in marks.items():
        voter.locator(f"#candidate-{candidate_pk}").get_by_label(MARK_LABELS[mark], exact=True).check()
    if step:
        shot(voter, screen, step)
        assert fits_the_screen(voter)
    voter.get_by_role("button", name="Review my ballot").click()
    expect(voter.get_by_role("heading", name="Check your ballot")).to_be_visible()
    voter.get_by_role("button", name="Cast my ballot").click()
    expect(voter.get_by_role("heading", name="Your ballot is cast")).to_be_visible()
    return "".join(voter.locator(".ballot-receipt .receipt-code").inner_text().split())


def vote_by_post(voter: Any, election: Election, marks: dict[int, str]) -> None:
    """The same ballot form, posted straight to the cast step by the voter's account."""
    client = Client()
    sign_in(client, voter)
    data = {
        "step": "cast",
        **{f"c{candidate_pk}": mark for candidate_pk, mark in marks.items()},
        **{f"w{slot}": "" for slot in (1, 2, 3)},  # the first round's write-in fields, sent empty
    }
    response = client.post(reverse("elections:ballot", args=[election.pk]), data)
    assert response.status_code == 200
    assert "Your ballot is cast" in page_text(response), page_text(response)


def test_a_party_branch_elects_its_committee_and_a_further_vote_settles_a_tie(
    page: Page, browser: Browser, live_server, village: Village, screen: str  # noqa: F811
) -> None:
    options = SCREENS[screen]
    committee = signed_in_context(browser, live_server, village.committee, options)

    # 1. The election committee prepares the election: voting in three weeks, for two days.
    vote_day = timezone.localdate() + datetime.timedelta(days=21)
    committee.goto(reverse("elections:new", args=[village.branch.pk]))
    committee.locator("input[name=title]").fill(TITLE)
    committee.locator("input[name=seats]").fill("3")
    committee.locator("select[name=rule_set]").select_option("party_branch")
    committee.locator("select[name=mode]").select_option("online")
    committee.locator("input[name=assembly_fixes_list]").check()
    committee.locator("input[name=voting_opens_at]").fill(f"{vote_day:%Y-%m-%d}T09:00")
    committee.locator("input[name=voting_closes_at]").fill(f"{vote_day + datetime.timedelta(days=2):%Y-%m-%d}T18:00")
    committee.get_by_role("button", name="Prepare the election").click()
    expect(committee.locator(".messages")).to_contain_text("The election is prepared. Build and publish its roll next.")
    election = Election.objects.get(organisation=village.branch, title=TITLE)
    settings = (election.seats, election.rule_set, election.mode, election.assembly_fixes_list)
    assert settings == (3, "party_branch", "online", True)

    # The roll: the branch's twelve full members may vote; the probationary member may not.
    committee.get_by_role("link", name="The roll of voters").click()
    committee.get_by_role("button", name="Build the roll").click()
    expect(committee.locator(".messages")).to_contain_text("The roll is built: 13 added")
    committee.get_by_role("button", name="Publish the roll").click()
    expect(committee.locator(".messages")).to_contain_text("The roll is published and open to objection.")
    expect(committee.locator("dl.counts dt")).to_have_text(["May vote", "Listed, may not vote"])
    expect(committee.locator("dl.counts dd")).to_have_text(["12", "1"])
    expect(committee.locator(".roll-reasons")).to_have_text("Probationary party member: 1")
    expect(committee.locator("li.excluded")).to_have_count(1)
    expect(committee.locator("li.excluded .roll-name")).to_have_text("钱预备")
    expect(committee.locator("li.excluded .roll-status")).to_have_text("Probationary party member")
    expect(committee.locator("li.eligible")).to_have_count(12)

    # 2. Objections close unraised; the committee opens nominations.
    days_pass(election, 6)
    committee.reload()
    committee.get_by_role("button", name="Open nominations").click()
    expect(committee.locator(".messages")).to_contain_text("Nominations are open.")

    # 3. The committee nominates three members for the branch; 陈静 nominates herself.
    committee.goto(reverse("elections:nominations", args=[election.pk]))
    for account in NOMINATED_BY_THE_BRANCH:
        committee.locator("select[name=route]").select_option("organisation")
        committee.locator("select[name=nominee]").select_option(label=village.person(account).name)
        committee.locator("textarea[name=reasons]").fill("支部委员会推荐。")
        committee.get_by_role("button", name="Nominate", exact=True).click()
        expect(committee.locator(".messages")).to_contain_text("The nomination is recorded.")
    members = {account: signed_in_context(browser, live_server, village.account(account), options)
               for account in [*NOMINATED_BY_THE_BRANCH, SELF_NOMINATED]}
    chen = members[SELF_NOMINATED]
    chen.goto(reverse("elections:nominations", args=[election.pk]))
    chen.locator("select[name=route]").select_option("self")
    chen.locator("textarea[name=reasons]").fill("我愿意为村里的党员服务。")
    chen.get_by_role("button", name="Nominate", exact=True).click()
    expect(chen.locator(".messages")).to_contain_text("The nomination is recorded.")
    expect(nomination_card(chen, CHEN)).to_contain_text("Accepted, awaiting vetting")

    # The three nominees accept, each in their own browser.
    for account in NOMINATED_BY_THE_BRANCH:
        nominee = members[account]
        nominee.goto(reverse("elections:nominations", args=[election.pk]))
        card = nomination_card(nominee, village.person(account).name)
        expect(card).to_contain_text("Awaiting the nominee's acceptance")
        card.get_by_role("button", name="Accept the nomination").click()
        expect(nominee.locator(".messages")).to_contain_text("You have accepted the nomination.")
        expect(nomination_card(nominee, village.person(account).name)).to_contain_text("Accepted, awaiting vetting")
        nominee.context.close()

    # The committee approves all four, with its reason.
    committee.reload()
    for name in (WANG, ZHANG, CHEN, ZHAO):
        nomination_card(committee, name).get_by_role("link", name="Vet").click()
        expect(committee.get_by_role("heading", name=f"Vet the nomination of {name}")).to_be_visible()
        committee.get_by_label("Approve", exact=True).check()
        committee.locator("textarea[name=reason]").fill("符合党员条件，群众基础好。")
        committee.get_by_role("button", name="Record the decision").click()
        expect(committee.locator(".messages")).to_contain_text("The decision is recorded and shown on the nominations page.")
        expect(nomination_card(committee, name)).to_contain_text("Approved by the election committee")
    expect(committee.locator("#fix-title + p")).to_have_text("4 nominations are approved; the list needs at least 4.")
    shot(committee, screen, "nominations")

    # The member assembly fixes the list by its vote: the committee tables and records the motion.
    committee.goto(reverse("elections:motions", args=[village.branch.pk]))
    committee.get_by_role("link", name="Table a motion").click()
    committee.locator("input[name=title]").fill("确定支部委员会候选人名单")
    committee.locator("textarea[name=text]").fill("党员大会确定王芳、张伟、陈静、赵敏为支部委员会委员候选人。")
    committee.locator("select[name=body]").select_option(label="Member assembly")
    committee.get_by_role("button", name="Table the motion").click()
    expect(committee.get_by_role("heading", name="Record the meeting")).to_be_visible()
    rows = committee.locator("fieldset.member-vote")
    expect(rows).to_have_count(12)  # the full members, not the probationary one
    for index in range(12):
        expect(rows.nth(index).locator("select[name^=attendance_]")).to_have_value("present")
        rows.nth(index).locator("select[name^=choice_]").select_option("yes")
    committee.get_by_role("button", name="Record the votes").click()
    expect(committee.locator("#result")).to_contain_text("The votes are recorded; the motion is not yet decided.")
    committee.get_by_role("button", name="Decide the motion").click()
    expect(committee.locator(".motion-badge")).to_have_text("Passed")
    motion = Motion.objects.get(organisation=village.branch)
    assert (motion.status, motion.members_due, motion.present, motion.yes) == ("passed", 12, 12, 12)

    committee.goto(reverse("elections:nominations", args=[election.pk]))
    committee.get_by_role("link", name="Fix the candidate list").click()
    committee.locator("select[name=list_motion]").select_option(label="确定支部委员会候选人名单")
    committee.get_by_role("button", name="Fix the candidate list").click()
    expect(committee.locator(".messages")).to_contain_text("The candidate list is fixed.")
    by_strokes = sorted(
        (village.person(account) for account in ["member02", "member03", "member05", "member07"]),
        key=lambda person: name_key(person.name, person.surname),
    )
    assert [person.name for person in by_strokes] == [WANG, ZHANG, CHEN, ZHAO]
    expect(committee.locator("ol.official-order li")).to_have_text([WANG, ZHANG, CHEN, ZHAO])
    expect(committee.locator("li.candidate-card")).to_have_count(4)
    expect(committee.locator("main")).to_contain_text("Fixed by the motion “确定支部委员会候选人名单”.")
    shot(committee, screen, "candidates")
    candidate = {c.person.name: c.pk for c in Candidate.objects.filter(election=election).select_related("person")}
    in_order = [candidate[name] for name in (WANG, ZHANG, CHEN, ZHAO)]

    # 4. The voting window opens; the committee opens the vote.
    days_pass(election, 16)  # 22 days after the roll: the window opened yesterday, closes tomorrow
    committee.goto(reverse("elections:rounds", args=[election.pk]))
    expect(committee.locator(".next-step")).to_contain_text("The candidate list is fixed: the committee opens the vote.")
    committee.get_by_role("button", name="Open the vote").click()
    expect(committee.locator(".messages")).to_contain_text("Voting is open.")

    voters = {
        account: signed_in_context(browser, live_server, village.account(account), options)
        for account in IN_THE_BROWSER
    }
    receipts = {}
    for account, letters in FIRST_ROUND:
        marks = dict(zip(in_order, letters, strict=True))
        if account in IN_THE_BROWSER:
            step = "ballot" if account == "member04" else ""
            receipts[account] = vote_in_the_browser(voters[account], election, marks, screen, step)
        else:
            vote_by_post(village.account(account), election, marks)
    receipt_page = voters["member04"]
    shot(receipt_page, screen, "receipt")
    assert fits_the_screen(receipt_page)
    assert len(receipts["member04"]) == 10
    receipt_page.goto(reverse("elections:ballot", args=[election.pk]))
    expect(receipt_page.get_by_role("heading", name="You have voted in this round")).to_be_visible()

    # 5. The committee closes and counts round 1: 王芳 and 张伟 elected, 陈静 and 赵敏 tied.
    committee.goto(reverse("elections:round", args=[election.pk, 1]))
    committee.get_by_role("button", name="Close the round").click()
    expect(committee.locator(".messages")).to_contain_text("The round is closed.")
    committee.get_by_role("button", name="Count the round").click()
    expect(committee.locator(".messages")).to_contain_text("The round is counted.")
    assert tally(committee.locator("main")) == [
        (WANG, "9", "Elected"), (ZHANG, "8", "Elected"),
        (CHEN, "6", "Tied: a further vote decides"), (ZHAO, "6", "Tied: a further vote decides"),
    ]
    main = committee.locator("main")
    expect(main).to_contain_text(
        "Candidates are tied at the cut-off: a further vote among the 2 tied candidates decides 1 seat."
    )
    expect(main).to_contain_text(
        f"Tied at the cut-off: {CHEN}、{ZHAO}."
    )
    expect(main).to_contain_text("Next: a further vote among the tied, for 1 seat.")
    expect(main).to_contain_text("Quorum: more than four fifths of the 12 voters due present, that is at least 10.")
    expect(main).to_contain_text("To be elected: more than half of the 10 voters present, that is at least 6 votes.")
    shot(committee, screen, "tie")

    committee.get_by_role("link", name="← Rounds of voting").click()
    committee.get_by_role("button", name="Start the next round").click()
    expect(committee.locator(".messages")).to_contain_text("Done.")
    expect(committee.get_by_role("heading", name="Round 2: Further vote among the tied")).to_be_visible()
    second = VotingRound.objects.get(election=election, number=2)
    assert (second.kind, second.seats, second.status) == ("tie_break", 1, RoundStatus.OPEN)
    assert list(second.entries.order_by("position").values_list("candidate__person__name", flat=True)) == [CHEN, ZHAO]

    # The same ten vote again between 陈静 and 赵敏.
    for account, letters in TIE_BREAK:
        marks = dict(zip([candidate[CHEN], candidate[ZHAO]], letters, strict=True))
        if account == "member04":
            vote_in_the_browser(voters[account], election, marks, screen, "")
        else:
            vote_by_post(village.account(account), election, marks)
    for voter in voters.values():
        voter.context.close()
    committee.goto(reverse("elections:round", args=[election.pk, 2]))
    committee.get_by_role("button", name="Close the round").click()
    committee.get_by_role("button", name="Count the round").click()
    expect(committee.locator(".messages")).to_contain_text("The round is counted.")
    assert tally(committee.locator("main")) == [(CHEN, "6", "Elected"), (ZHAO, "4", "—")]
    expect(committee.locator("main")).to_contain_text(
        "Every seat is filled: once every scrutineer has signed, the committee publishes the result."
    )

    # 6. The committee appoints 黄强 scrutineer; he signs both rounds.
    committee.goto(reverse("elections:officials", args=[election.pk]))
    committee.locator("select[name=person]").select_option(label="黄强")
    committee.locator("select[name=duty]").select_option("scrutineer")
    committee.locator("input[name=approved_by_assembly]").check()
    committee.get_by_role("button", name="Appoint").click()
    expect(committee.locator(".messages")).to_contain_text("The official is appointed.")
    expect(committee.locator("table.officials tbody tr")).to_have_text("黄强 Scrutineer Yes", use_inner_text=True)
    scrutineer = signed_in_context(browser, live_server, village.account(SCRUTINEER), options)
    for number in (1, 2):
        scrutineer.goto(reverse("elections:round", args=[election.pk, number]))
        scrutineer.get_by_role("button", name="Sign the result of this round").click()
        expect(scrutineer.locator(".messages")).to_contain_text("You have signed the round.")
        expect(scrutineer.locator("main")).to_contain_text("You have signed this round.")
    scrutineer.context.close()

    committee.goto(reverse("elections:result", args=[election.pk]))
    expect(committee.locator("main")).to_contain_text("Not published yet: this is what will be published.")
    committee.locator("textarea[name=minutes]").fill(MINUTES)
    committee.get_by_role("button", name="Publish the result").click()
    expect(committee.locator(".messages")).to_contain_text("The result is published.")
    committee.context.close()
    election.refresh_from_db()
    assert election.phase == Phase.PUBLISHED

    # 7. Anyone, signed out, reads the result with both rounds and recounts the ballots.
    page.goto(reverse("elections:election", args=[election.pk]))
    page.get_by_role("link", name="The result").click()
    expect(page.get_by_role("heading", name="Result of the election")).to_be_visible()
    expect(page.locator("ol.elected-names li")).to_have_text([f"{WANG} round 1", f"{ZHANG} round 1", f"{CHEN} round 2"])
    assert tally(round_section(page, 1)) == [
        (WANG, "9", "Elected"), (ZHANG, "8", "Elected"),
        (CHEN, "6", "Tied: a further vote decides"), (ZHAO, "6", "Tied: a further vote decides"),
    ]
    assert tally(round_section(page, 2)) == [(CHEN, "6", "Elected"), (ZHAO, "4", "—")]
    for number in (1, 2):
        numbers = facts(round_section(page, number))
        assert (numbers["Voters due"], numbers["Voters present"], numbers["Ballots returned"]) == ("12", "10", "10")
        assert (numbers["Valid ballots"], numbers["Invalid ballots"]) == ("10", "0")
        expect(round_section(page, number).locator(".signatures li")).to_contain_text("黄强")
    main = page.locator("main")
    expect(main.locator("#round-2")).to_have_text("Round 2: Further vote among the tied")
    expect(main).to_contain_text(MINUTES)
    expect(main.locator("section:has(#scrutineers-title)")).to_contain_text("黄强")
    shot(page, screen, "result")
    assert fits_the_screen(page)

    round_section(page, 1).get_by_role("link", name="Every ballot of round 1, to recount").click()
    expect(page.get_by_role("heading", name="Ballots of round 1")).to_be_visible()
    expect(page.locator(".ballot-receipt-code")).to_have_count(10)
    expect(page.locator(".ballot-receipt-code").filter(has_text=receipts["member04"])).to_have_count(1)
    expect(page.locator(".ballot-receipt-code").filter(has_text=receipts["member06"])).to_have_count(1)
    page.get_by_role("link", name="Find my ballot by its receipt").click()
    page.locator("input[name=code]").fill(receipts["member04"])
    page.get_by_role("button", name="Find").click()
    found = page.locator(".ballot-found")
    expect(found).to_contain_text(f"{WANG}、{ZHANG}、{CHEN}")
    expect(found.locator("div").filter(has_text="Disapproves").locator("dd")).to_have_text(ZHAO)
    assert verify_chain().intact
