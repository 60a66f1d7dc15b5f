"""Under load (issue 5): 500 voters casting in the same second on PostgreSQL are each counted
exactly once, and a voter who submits twice at once is refused once.

Real concurrency needs real connections: every worker thread has its own PostgreSQL connection
(Django's connections are per thread) against a committed database (`transaction=True`). All 500
voters' ballots are submitted at once, behind one `threading.Barrier`; a fixed pool of connections
serves them, as a site's web workers would, because the server's `max_connections` (100 by
default, shared with whatever else runs) cannot hold one connection per voter. The pool is
`CONNECTIONS` wide (TONGXIN_TEST_CONNECTIONS overrides it). Each pair of workers starts with the
same voter's ballot, so `DOUBLES` voters submit twice in the very same instant.

SQLite takes one writer at a time, so nothing races there: the test is PostgreSQL's.
"""

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from tongxin.community.models import Gender, PartyStatus, Person
from tongxin.core.audit import AuditEvent
from tongxin.core.errors import ActionError
from tongxin.elections.actions.casting import cast_ballot, seal_round, stop_casting
from tongxin.elections.actions.common import lock_election
from tongxin.elections.models import Ballot, RollEntry, RoundStatus, Turnout, VotingRound

from .conftest import voting_election

VOTERS = 500
CONNECTIONS = int(os.environ.get("TONGXIN_TEST_CONNECTIONS", "32"))
DOUBLES = CONNECTIONS // 2

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: only PostgreSQL can race"
)


def crowd(village, election) -> list:
    """VOTERS new eligible voters with accounts, created in bulk."""
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"voter{number:03d}") for number in range(VOTERS))
    people = Person.objects.bulk_create(
        Person(name=f"选民{number:03d}", gender=Gender.FEMALE, party_status=PartyStatus.FULL, home=village.village, user=user)
        for number, user in enumerate(users)
    )
    RollEntry.objects.filter(election=election).delete()
    RollEntry.objects.bulk_create(RollEntry(election=election, person=person) for person in people)
    return users


@pytest.mark.django_db(transaction=True)
def test_500_voters_at_once_are_each_counted_once_and_doubles_refused(village):
    election = voting_election(village)
    voting_round = election.rounds.get(number=1)
    marks = {candidate.pk: "approve" for candidate in election.candidates.all()}
    users = crowd(village, election)
    # Each worker's list of submissions: workers 2k and 2k+1 both start with voter k's ballot.
    queues: list[list] = [[] for _worker in range(CONNECTIONS)]
    for worker in range(CONNECTIONS):
        queues[worker].append(users[worker // 2])
    for number, user in enumerate(users[DOUBLES:]):
        queues[number % CONNECTIONS].append(user)
    barrier = threading.Barrier(CONNECTIONS)

    def work(queue: list) -> list[str]:
        outcomes = []
        try:
            connection.ensure_connection()  # connected before the start, so all start together
            barrier.wait()
            for user in queue:
                try:
                    cast_ballot(actor=user, voting_round=voting_round, marks=marks, write_ins=[])
                except ActionError as error:
                    outcomes.append(error.code)
                else:
                    outcomes.append("cast")
        finally:
            connection.close()
        return outcomes

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        outcomes = Counter(outcome for result in pool.map(work, queues) for outcome in result)

    assert outcomes == {"cast": VOTERS, "already_voted": DOUBLES}
    assert Turnout.objects.filter(round=voting_round).count() == VOTERS
    assert Turnout.objects.filter(round=voting_round).values("voter").distinct().count() == VOTERS
    assert Ballot.objects.filter(round=voting_round).count() == VOTERS
    assert Ballot.objects.filter(round=voting_round).values("receipt").distinct().count() == VOTERS
    assert AuditEvent.objects.filter(verb="election.vote").count() == VOTERS


@pytest.mark.django_db(transaction=True)
def test_closing_the_round_while_voters_cast_counts_exactly_the_ballots_stored(village):
    """The round closes between casts, never in the middle of one: the turnout counted at the
    close, the ballots sealed and the voters told "cast" are the same number, and every cast
    after the close is refused."""
    election = voting_election(village)
    voting_round = election.rounds.get(number=1)
    marks = {candidate.pk: "abstain" for candidate in election.candidates.all()}
    users = crowd(village, election)[:200]
    queues: list[list] = [users[worker::CONNECTIONS] for worker in range(CONNECTIONS)]
    barrier = threading.Barrier(CONNECTIONS + 1)
    halfway, counted = threading.Event(), Counter()
    closed: dict[str, int] = {}

    def work(queue: list) -> list[str]:
        outcomes = []
        try:
            connection.ensure_connection()
            barrier.wait()
            for user in queue:
                try:
                    cast_ballot(actor=user, voting_round=voting_round, marks=marks, write_ins=[])
                except ActionError as error:
                    outcomes.append(error.code)
                else:
                    outcomes.append("cast")
                    counted["cast"] += 1
                    if counted["cast"] >= len(users) // 2:
                        halfway.set()
        finally:
            connection.close()
        return outcomes

    def close() -> list[str]:
        """What closing an online round does: hold casting back, lock the election, count the
        turnout, seal, mark the round closed."""
        try:
            connection.ensure_connection()
            barrier.wait()
            halfway.wait(timeout=60)
            with transaction.atomic():
                stop_casting(voting_round)
                lock_election(election)
                closed["present"] = Turnout.objects.filter(round=voting_round).count()
                seal_round(voting_round)
                VotingRound.objects.filter(pk=voting_round.pk).update(status=RoundStatus.CLOSED)
        finally:
            connection.close()
        return []

    with ThreadPoolExecutor(max_workers=CONNECTIONS + 1) as pool:
        futures = [pool.submit(work, queue) for queue in queues] + [pool.submit(close)]
        outcomes = Counter(outcome for future in futures for outcome in future.result())

    stored = Ballot.objects.filter(round=voting_round).count()
    assert outcomes["cast"] == closed["present"] == stored == Turnout.objects.filter(round=voting_round).count()
    assert outcomes["cast"] + outcomes["round_not_open"] == len(users)
    assert 0 < outcomes["round_not_open"]
