"""Elections and motions: the election and its timeline, the roll, nominations and candidates,
rounds of voting, secret ballots, paper entries by tellers, signatures; motions and documents.

Secrecy is a property of the tables, not of the code that reads them: `Turnout` ("this voter has
voted in this round") and `Ballot` share no key, ballots carry no time and a random id, and the
ballots of a round are rewritten in random order when the round closes (`actions.casting`), so
neither a row's position nor its transaction tells who cast it.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tongxin.community.models import Organisation, Person

from . import counting, decisions

# ---------------------------------------------------------------------------------------------
# The election


class Elects(models.TextChoices):
    COMMITTEE = "committee", _("A committee")
    DELEGATES = "delegates", _("Delegates")
    OFFICERS = "officers", _("Officers (by the new committee)")


class RuleSetName(models.TextChoices):
    PARTY_BRANCH = "party_branch", _("Party branch (2020 regulation)")
    VILLAGE_COMMITTEE = "village_committee", _("Village committee (Organic Law, 2018)")
    SIMPLE_MAJORITY = "simple_majority", _("Simple majority (councils and social organisations)")


class Mode(models.TextChoices):
    ONLINE = "online", _("Online, in a voting window")
    ASSEMBLY = "assembly", _("At an assembly, on paper")


class Phase(models.TextChoices):
    """Where an election stands; each phase allows its own steps (the actions check it)."""

    DRAFT = "draft", _("Being prepared")
    ROLL = "roll", _("Roll published, open to objection")
    NOMINATION = "nomination", _("Nominations open")
    CANDIDATES = "candidates", _("Candidate list fixed")
    VOTING = "voting", _("Voting")
    PUBLISHED = "published", _("Result published")
    CANCELLED = "cancelled", _("Cancelled")


PHASE_ORDER = [Phase.DRAFT, Phase.ROLL, Phase.NOMINATION, Phase.CANDIDATES, Phase.VOTING, Phase.PUBLISHED]


class ElectionQuerySet(models.QuerySet["Election"]):
    def of(self, organisation: Organisation) -> ElectionQuerySet:
        return self.filter(organisation=organisation)

    def public(self) -> ElectionQuerySet:
        """Elections past their preparation: their roll, candidates and results are public."""
        return self.exclude(phase=Phase.DRAFT)


class Election(models.Model):
    """One election of a committee, of delegates or of officers, by a rule set with its numbers."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="elections"
    )
    title = models.CharField(_("title"), max_length=200)
    elects = models.CharField(_("elects"), max_length=16, choices=Elects.choices, default=Elects.COMMITTEE)
    seats = models.PositiveSmallIntegerField(_("seats"))
    rule_set = models.CharField(_("rule set"), max_length=32, choices=RuleSetName.choices)
    rule_overrides = models.JSONField(_("adjusted rule numbers"), default=dict, blank=True)
    mode = models.CharField(_("how votes are cast"), max_length=16, choices=Mode.choices, default=Mode.ONLINE)
    # Nomination: joint recommendation needs this many seconders besides the proposer; a
    # self-nomination needs its own (the sources ask for it; 0 means none needed).
    seconders_required = models.PositiveSmallIntegerField(_("seconders for a joint recommendation"), default=4)
    self_nomination_seconders = models.PositiveSmallIntegerField(_("seconders for a self-nomination"), default=0)
    assembly_fixes_list = models.BooleanField(
        _("the assembly fixes the candidate list by vote"), default=False
    )
    list_motion = models.ForeignKey(
        "Motion", verbose_name=_("motion fixing the candidate list"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    proxies_allowed = models.BooleanField(_("written proxies allowed"), default=False)
    proxy_limit = models.PositiveSmallIntegerField(_("principals per proxy holder, at most"), default=3)
    # The timeline. Dates the rules count from; phases move by the election committee's actions.
    roll_published_on = models.DateField(_("roll published"), null=True, blank=True)
    objections_until = models.DateField(_("objections until"), null=True, blank=True)
    objections_decided_by = models.DateField(_("objections decided by"), null=True, blank=True)
    nominations_until = models.DateField(_("nominations until"), null=True, blank=True)
    candidate_list_on = models.DateField(_("candidate list published"), null=True, blank=True)
    voting_opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    assembly_at = models.DateTimeField(_("assembly"), null=True, blank=True)
    assembly_place = models.CharField(_("assembly place"), max_length=200, blank=True)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.DRAFT)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("result published"), null=True, blank=True)

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        constraints = [models.CheckConstraint(condition=Q(seats__gte=1), name="election_has_seats")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("elections:election", args=[self.pk])

    @property
    def rules(self) -> counting.RuleSet:
        """The rule set with this election's adjusted numbers (validated when they were saved)."""
        return dataclasses.replace(counting.RULE_SETS[self.rule_set], **self.rule_overrides)

    @property
    def required_candidates(self) -> int:
        return counting.required_candidates(self.rules, self.seats)

    def phase_reached(self, phase: str) -> bool:
        if self.phase == Phase.CANCELLED:
            return False
        return PHASE_ORDER.index(Phase(self.phase)) >= PHASE_ORDER.index(Phase(phase))


# ---------------------------------------------------------------------------------------------
# The roll, objections and proxies


class Exclusion(models.TextChoices):
    """Why a person of the organisation is not on the roll (RULES.md §1, who may vote)."""

    PROBATIONARY = "probationary", _("Probationary party member")
    UNDER_PROBATION = "under_probation", _("Member under probation within the party")
    DETAINED = "detained", _("Detained or arrested")
    UNDER_AGE = "under_age", _("Under 18")
    AGE_UNKNOWN = "age_unknown", _("Year of birth not on record")
    NOT_REGISTERED = "not_registered", _("Not registered in the village")
    REGISTERED_ELSEWHERE = "registered_elsewhere", _("Registered to vote in another village")
    OBJECTION = "objection", _("Removed after an objection")


class RollEntry(models.Model):
    """A person on an election's roll; `excluded` (with a reason) keeps the decision visible.

    `set_by_hand`: the election committee excluded or restored the entry itself, so rebuilding the
    roll from the organisation keeps what it decided (as it keeps what objections decided).
    """

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="roll")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="roll_entries")
    excluded = models.CharField(_("not eligible because"), max_length=32, choices=Exclusion.choices, blank=True)
    added_by_objection = models.BooleanField(_("added after an objection"), default=False)
    set_by_hand = models.BooleanField(_("excluded or restored by the election committee"), default=False)

    class Meta:
        ordering = ["election", "person__name", "pk"]
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="one_roll_entry_per_person")]

    def __str__(self) -> str:
        return f"{self.person} · {self.election}"

    @property
    def eligible(self) -> bool:
        return not self.excluded


class ObjectionAsk(models.TextChoices):
    ADD = "add", _("Add to the roll")
    REMOVE = "remove", _("Remove from the roll")


class ObjectionDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection to the published roll, and the election committee's decision with its reason."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.ForeignKey(
        Person, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    about = models.ForeignKey(Person, verbose_name=_("about"), on_delete=models.PROTECT, related_name="+")
    ask = models.CharField(_("asks to"), max_length=8, choices=ObjectionAsk.choices)
    grounds = models.TextField(_("grounds"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=16, choices=ObjectionDecision.choices, default=ObjectionDecision.PENDING
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["election", "raised_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.get_ask_display()}: {self.about}"


class Proxy(models.Model):
    """A written proxy (village rule): the holder casts the principal's ballot. Names are published."""

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="proxies")
    principal = models.OneToOneField(
        RollEntry, verbose_name=_("principal"), on_delete=models.CASCADE, related_name="proxy"
    )
    holder = models.ForeignKey(
        RollEntry, verbose_name=_("proxy holder"), on_delete=models.CASCADE, related_name="proxies_held"
    )
    relation = models.CharField(_("relation to the principal"), max_length=50)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["election", "holder", "pk"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.CheckConstraint(condition=~Q(principal=models.F("holder")), name="proxy_not_to_oneself")
        ]

    def __str__(self) -> str:
        return f"{self.principal.person} → {self.holder.person}"


# ---------------------------------------------------------------------------------------------
# Nominations, candidates, questions


class Route(models.TextChoices):
    ORGANISATION = "organisation", _("By the organisation")
    JOINT = "joint", _("By members' joint recommendation")
    SELF = "self", _("Self-nomination")


class NominationStatus(models.TextChoices):
    AWAITING_SECONDERS = "awaiting_seconders", _("Awaiting seconders")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("Awaiting the nominee's acceptance")
    DECLINED = "declined", _("Declined by the nominee")
    ACCEPTED = "accepted", _("Accepted, awaiting vetting")
    APPROVED = "approved", _("Approved by the election committee")
    REJECTED = "rejected", _("Not approved by the election committee")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Nomination(models.Model):
    """A nomination by one of three routes; the nominee accepts, the election committee vets."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="nominations"
    )
    nominee = models.ForeignKey(Person, verbose_name=_("nominee"), on_delete=models.PROTECT, related_name="+")
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    proposer = models.ForeignKey(
        Person, verbose_name=_("proposed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField(_("reasons"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=NominationStatus.choices)
    vetting_reason = models.TextField(_("election committee's reason"), blank=True)
    vetted_at = models.DateTimeField(_("vetted"), null=True, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("nominated"), default=timezone.now)

    class Meta:
        ordering = ["election", "created_at", "pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        indexes = [models.Index(fields=["election", "status"])]

    def __str__(self) -> str:
        return f"{self.nominee} · {self.get_route_display()}"


class Seconder(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="seconders")
    person = models.ForeignKey(Person, verbose_name=_("seconder"), on_delete=models.PROTECT, related_name="+")
    seconded_at = models.DateTimeField(_("seconded"), default=timezone.now)

    class Meta:
        ordering = ["nomination", "seconded_at", "pk"]
        verbose_name = _("seconder")
        verbose_name_plural = _("seconders")
        constraints = [models.UniqueConstraint(fields=["nomination", "person"], name="one_seconding_per_person")]


# The same space for everyone: the form and the page give every candidate these limits.
PROFILE_LENGTH = 600
STATEMENT_LENGTH = 1200
ANSWER_LENGTH = 600


class Candidate(models.Model):
    """A person on the candidate list, at `position` (by surname strokes), with their own words."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="candidates"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    nomination = models.OneToOneField(
        Nomination, verbose_name=_("nomination"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("place on the list"), default=0)
    profile = models.TextField(_("profile"), max_length=PROFILE_LENGTH, blank=True)
    statement = models.TextField(_("statement"), max_length=STATEMENT_LENGTH, blank=True)

    class Meta:
        ordering = ["election", "position", "pk"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="one_candidacy_per_person")]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def key(self) -> str:
        """The candidate's name for counting: unique within the round (see `ballots.py`)."""
        return f"c{self.pk}"


class Question(models.Model):
    """A voter's question to all candidates; each candidate may answer in the same space."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="questions"
    )
    asked_by = models.ForeignKey(Person, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("question"), max_length=ANSWER_LENGTH)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    hidden_reason = models.CharField(_("hidden because"), max_length=200, blank=True)

    class Meta:
        ordering = ["election", "asked_at", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    candidate = models.ForeignKey(Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"), max_length=ANSWER_LENGTH)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["question", "candidate__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["question", "candidate"], name="one_answer_per_candidate")]


# ---------------------------------------------------------------------------------------------
# Officials: tellers and scrutineers


class Duty(models.TextChoices):
    TELLER = "teller", _("Teller")
    SCRUTINEER = "scrutineer", _("Scrutineer")


class Official(models.Model):
    """A teller or scrutineer of an election; never a candidate (checked when appointed)."""

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="officials")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    approved_by_assembly = models.BooleanField(_("approved by the assembly"), default=False)
    # Village rule: no near relative of a candidate counts or scrutinises. We cannot know who is
    # related to whom, so the official declares it, and the declaration is kept and published.
    declared_not_related = models.BooleanField(_("declared not a near relative of any candidate"), default=False)
    appointed_at = models.DateTimeField(_("appointed"), default=timezone.now)

    class Meta:
        ordering = ["election", "duty", "pk"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        constraints = [
            models.UniqueConstraint(fields=["election", "person", "duty"], name="one_duty_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_duty_display()}"


# ---------------------------------------------------------------------------------------------
# Rounds, turnout and ballots


class RoundKind(models.TextChoices):
    FIRST = counting.Round.FIRST.value, _("First round")
    TIE_BREAK = counting.Round.TIE_BREAK.value, _("Further vote among the tied")
    FURTHER_ELECTION = counting.Round.FURTHER_ELECTION.value, _("Further election for unfilled seats")
    SECOND_ROUND = counting.Round.SECOND_ROUND.value, _("Second round")


class RoundStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed, being counted")
    COUNTED = "counted", _("Counted")


class VotingRound(models.Model):
    """One round of voting: its candidates, its turnout and ballots, and the count (`result`)."""

    election = models.ForeignKey(Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    kind = models.CharField(_("kind"), max_length=24, choices=RoundKind.choices)
    seats = models.PositiveSmallIntegerField(_("seats"))
    candidates = models.ManyToManyField(Candidate, through="RoundCandidate", related_name="rounds")
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.PREPARED)
    voters_due = models.PositiveIntegerField(_("voters due"), default=0)
    voters_present = models.PositiveIntegerField(_("voters present"), null=True, blank=True)
    ballots_issued = models.PositiveIntegerField(_("ballots issued"), null=True, blank=True)
    # Assembly: the paper ballots the tellers found in the box, before either of them enters one.
    ballots_returned = models.PositiveIntegerField(_("paper ballots returned"), null=True, blank=True)
    paper_committed_at = models.DateTimeField(_("paper ballots committed"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # counting.Result as plain data (status, reason, numbers, tally by candidate key, elected, tied).
    result = models.JSONField(_("result"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)

    class Meta:
        ordering = ["election", "number"]
        verbose_name = _("round of voting")
        verbose_name_plural = _("rounds of voting")
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="one_round_per_number")]

    def __str__(self) -> str:
        return f"{self.election} · {self.number}"


class RoundCandidate(models.Model):
    round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="entries")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["round", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "candidate"], name="candidate_once_per_round")]


class Turnout(models.Model):
    """A voter has voted in this round: no time, no link to the ballot.

    `by_proxy` says the voter's proxy holder cast it (proxies are published by name anyway).
    """

    round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="turnout")
    voter = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    by_proxy = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("turnout record")
        verbose_name_plural = _("turnout records")
        constraints = [models.UniqueConstraint(fields=["round", "voter"], name="one_vote_per_voter_per_round")]


def new_receipt() -> str:
    """Ten characters a voter can read out and type: 50 bits, from an alphabet without 0/O, 1/I."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Ballot(models.Model):
    """A ballot as cast: a random id, a receipt the voter keeps, and a fixed-size `content`.

    No voter, no time, no sequence: see the module's docstring and `ballots.py` for the encoding.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="ballots")
    receipt = models.CharField(_("receipt code"), max_length=16, default=new_receipt)
    content = models.CharField(_("ballot"), max_length=2000)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["round", "receipt"], name="one_receipt_per_round")]


class Teller(models.IntegerChoices):
    FIRST = 1, _("First teller")
    SECOND = 2, _("Second teller")


class PaperEntry(models.Model):
    """One paper ballot as one teller read it: the two tellers enter the same pile independently."""

    round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="paper_entries")
    teller = models.PositiveSmallIntegerField(_("teller"), choices=Teller.choices)
    position = models.PositiveIntegerField(_("ballot number in the pile"))
    content = models.CharField(_("ballot"), max_length=2000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "position", "teller"]
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        constraints = [
            models.UniqueConstraint(fields=["round", "teller", "position"], name="one_entry_per_teller_and_ballot")
        ]


class Reconciliation(models.Model):
    """Where the two tellers' entries differ: what both agreed the paper ballot says."""

    round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="reconciliations")
    position = models.PositiveIntegerField(_("ballot number in the pile"))
    content = models.CharField(_("ballot"), max_length=2000)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "position"], name="one_reconciliation_per_ballot")]


class Signature(models.Model):
    """A scrutineer signs a round's result (and the election's minutes)."""

    round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="signatures")
    official = models.ForeignKey(Official, verbose_name=_("scrutineer"), on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    remark = models.CharField(_("remark"), max_length=300, blank=True)

    class Meta:
        ordering = ["round", "signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["round", "official"], name="one_signature_per_scrutineer")]


# ---------------------------------------------------------------------------------------------
# Motions and documents


class Body(models.TextChoices):
    BRANCH_COMMITTEE = decisions.BRANCH_COMMITTEE.name, _("Branch committee meeting")
    MEMBER_ASSEMBLY = decisions.MEMBER_ASSEMBLY.name, _("Member assembly")
    VILLAGERS_ASSEMBLY = decisions.VILLAGERS_ASSEMBLY.name, _("Villagers' assembly")
    REPRESENTATIVES_ASSEMBLY = decisions.REPRESENTATIVES_ASSEMBLY.name, _("Villagers' representatives' assembly")
    SIMPLE_MAJORITY = decisions.SIMPLE_MAJORITY.name, _("Meeting deciding by simple majority")


class MotionStatus(models.TextChoices):
    OPEN = "open", _("Being voted on")
    PASSED = decisions.Status.PASSED.value, _("Passed")
    FAILED = decisions.Status.FAILED.value, _("Failed")
    NO_QUORUM = decisions.Status.NO_QUORUM.value, _("No quorum")


class MotionQuerySet(models.QuerySet["Motion"]):
    def decided(self) -> MotionQuerySet:
        return self.exclude(status=MotionStatus.OPEN)

    def passed(self) -> MotionQuerySet:
        return self.filter(status=MotionStatus.PASSED)


class Motion(models.Model):
    """A collective decision of a committee or assembly: one member one vote, every vote minuted."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="motions"
    )
    body = models.CharField(_("decided by"), max_length=32, choices=Body.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text of the motion"))
    meeting_on = models.DateField(_("meeting"))
    status = models.CharField(_("status"), max_length=16, choices=MotionStatus.choices, default=MotionStatus.OPEN)
    members_due = models.PositiveIntegerField(_("members due to attend"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    yes = models.PositiveIntegerField(pgettext_lazy("votes on a motion", "yes"), default=0)
    no = models.PositiveIntegerField(pgettext_lazy("votes on a motion", "no"), default=0)
    abstain = models.PositiveIntegerField(_("abstain"), default=0)
    needed = models.PositiveIntegerField(_("yes votes needed"), default=0)
    # A villagers' assembly may count its quorum by households represented: then `members_due`
    # is the households and `present` the household representatives present.
    counts_households = models.BooleanField(_("attendance counted by households"), default=False)
    # {"code": decisions.Reason, "params": {...}}: worded in the reader's language by `result_text`.
    reason = models.JSONField(_("reason"), default=dict, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("votes recorded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = MotionQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_on", "-pk"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        indexes = [models.Index(fields=["organisation", "-meeting_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("elections:motion", args=[self.pk])

    @property
    def rules(self) -> decisions.MotionRules:
        return decisions.RULE_SETS[self.body]

    @property
    def is_decided(self) -> bool:
        return self.status != MotionStatus.OPEN

    @property
    def by_count(self) -> bool:
        """Assemblies of villagers or their representatives record numbers, not names."""
        return self.body in COUNTED_BODIES

    @property
    def result_text(self) -> str:
        """Why the motion passed or failed, with its numbers, in the reader's language."""
        if not self.reason:
            return ""
        return motion_reason_text(self.reason["code"], self.reason["params"])


COUNTED_BODIES = frozenset({Body.VILLAGERS_ASSEMBLY, Body.REPRESENTATIVES_ASSEMBLY})


def motion_reason_text(code: str, params: dict) -> str:
    """A decision's reason (`decisions.Reason` and its numbers) as a sentence."""
    base_words = {
        decisions.Base.PRESENT: gettext("the members present"),
        decisions.Base.DUE: gettext("the members due to attend"),
        decisions.Base.CAST: gettext("the votes cast"),
    }
    match code:
        case decisions.Reason.PASSED:
            text = ngettext(
                "Passed: %(yes)d yes against %(no)d no; %(needed)d yes vote was needed.",
                "Passed: %(yes)d yes against %(no)d no; %(needed)d yes votes were needed.",
                params["needed"],
            )
        case decisions.Reason.TIE:
            text = gettext(
                "Failed: a tie, %(yes)d yes and %(no)d no. There is no casting vote, and a tie fails."
            )
        case decisions.Reason.BELOW_THRESHOLD:
            text = ngettext(
                "Failed: %(yes)d yes, and more than half of %(of_words)s (%(of)d) means at least "
                "%(needed)d yes vote.",
                "Failed: %(yes)d yes, and more than half of %(of_words)s (%(of)d) means at least "
                "%(needed)d yes votes.",
                params["needed"],
            )
            params = {**params, "of_words": base_words[decisions.Base(params["base"])]}
        case decisions.Reason.NOT_MORE_YES_THAN_NO:
            text = gettext("Failed: %(yes)d yes is not more than %(no)d no.")
        case decisions.Reason.NO_QUORUM:
            text = gettext(
                "No quorum: %(present)d of the %(due)d members due were present, and at least "
                "%(needed)d were needed. Nothing was decided."
            )
        case decisions.Reason.NO_QUORUM_HOUSEHOLDS:
            text = gettext(
                "No quorum: %(represented)d of the %(households)d households were represented, and "
                "at least %(needed)d were needed. Nothing was decided."
            )
        case _:
            raise AssertionError(code)  # every reason is worded above
    return text % params


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class VoteChoice(models.TextChoices):
    YES = decisions.Choice.YES.value, pgettext_lazy("vote on a motion", "Yes")
    NO = decisions.Choice.NO.value, pgettext_lazy("vote on a motion", "No")
    ABSTAIN = decisions.Choice.ABSTAIN.value, _("Abstain")
    NOT_VOTING = "not_voting", _("Present, not voting")


class MotionVote(models.Model):
    """One member's attendance and vote on a motion, by name, with their dissent if they gave one."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="motion_votes")
    attendance = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices)
    choice = models.CharField(_("vote"), max_length=16, choices=VoteChoice.choices, blank=True)
    dissent = models.TextField(_("dissent, as minuted"), blank=True)

    class Meta:
        ordering = ["motion", "person__name", "pk"]
        verbose_name = _("vote on a motion")
        verbose_name_plural = _("votes on motions")
        constraints = [
            models.UniqueConstraint(fields=["motion", "person"], name="one_vote_per_member_per_motion"),
            models.CheckConstraint(
                condition=Q(attendance="present") | Q(choice=""), name="absent_members_do_not_vote"
            ),
        ]


class DocumentKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    REPORT_UP = "report_up", _("Report to the level above")
    OTHER = "other", _("Other document")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Document(models.Model):
    """A document issued in a committee's name: published only with the motion that approved it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    motion = models.ForeignKey(
        Motion, verbose_name=_("approved by motion"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="documents",
    )
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(motion__isnull=False), name="published_document_has_motion"
            )
        ]

    def __str__(self) -> str:
        return self.title
