"""The proof the issue asks for: a full dump of the database cannot tell who cast which ballot.

Twelve members vote in a known order, each a different ballot; the round is closed and sealed
(`seal_round`), and the whole database is dumped as an operator would: `sqlite3`'s iterdump on
SQLite, `pg_dump` on PostgreSQL (or, without the program, every table's COPY output). Then:

- no column of the turnout table shares a value with any column of the ballot table, but the
  round, which both must name;
- the ballot table has no time: no time column and no value that reads as a time;
- the ballots appear in the dump in an order that is not the order of voting.

About the last point, honestly: the order after sealing is a uniform random permutation of the
twelve ballots (`secrets.SystemRandom().shuffle`), so it equals the voting order with
probability 1/12! ≈ 2·10⁻⁹ per seal, and the test would fail that rarely by chance. A single
permutation is too little to test "unrelated to the voting order" with a statistic without a
real rate of false alarms, so the test asserts what is certain enough to be deterministic in
practice: the dump's order is a permutation of the ballots cast, differs from the voting order
and from its reverse, and three seals in a row give three different orders (each pair equal
with probability 1/12!). The control test shows the check can fail: without sealing and mixing
the dump's order IS the voting order, on both databases.

On PostgreSQL the test also reads `xmin`, the transaction that wrote each row: after sealing
every ballot carries the sealing transaction's id and no turnout row carries it.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from tongxin.elections.actions import casting
from tongxin.elections.actions.casting import cast_ballot, seal_round
from tongxin.elections.models import Ballot, Election, RoundStatus, Turnout, VotingRound

from .conftest import Village, voting_election

# Twelve different ballots over the four candidates, with and without write-ins.
BALLOTS = [
    ("aaan", []),
    ("aana", []),
    ("anaa", []),
    ("naaa", []),
    ("dnnn", ["村民01"]),
    ("ndnn", ["村民02"]),
    ("nndn", []),
    ("nnnd", ["Wang Wei"]),
    ("ddaa", ["村民03", "村民04"]),
    ("nnnn", []),
    ("adad", ["欧阳明月"]),
    ("dddd", ["村民05", "村民06", "村民07"]),
]
WORDS = {"a": "approve", "d": "disapprove", "n": "abstain"}
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
BALLOT_TABLE = Ballot._meta.db_table
TURNOUT_TABLE = Turnout._meta.db_table


def vote_in_order(village: Village, election: Election) -> list[str]:
    """The twelve members vote one after the other; their receipts in the order of voting."""
    voting_round = election.rounds.get(number=1)
    candidates = list(election.candidates.order_by("position"))
    receipts = []
    for person, (letters, write_ins) in zip(village.members, BALLOTS, strict=True):
        marks = {candidate.pk: WORDS[letter] for candidate, letter in zip(candidates, letters, strict=True)}
        receipts.append(
            cast_ballot(actor=person.user, voting_round=voting_round, marks=marks, write_ins=write_ins)
        )
    return receipts


def close_and_seal(election: Election) -> None:
    """What closing a round does to its ballots, in one transaction."""
    with transaction.atomic():
        VotingRound.objects.filter(election=election, number=1).update(status=RoundStatus.CLOSED)
        seal_round(election.rounds.get(number=1))


def dump() -> str:
    """The whole database as an operator would dump it."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    if shutil.which("pg_dump"):
        settings = connection.settings_dict
        environment = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
        command = ["pg_dump", "--no-owner", "--dbname", settings["NAME"], "--username", settings["USER"] or "postgres"]
        if settings.get("HOST"):
            command += ["--host", settings["HOST"]]
        if settings.get("PORT"):
            command += ["--port", str(settings["PORT"])]
        return subprocess.run(command, env=environment, capture_output=True, text=True, check=True).stdout
    return copy_every_table()


def copy_every_table() -> str:
    """Every table's COPY output, in pg_dump's layout, for machines without the program."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
            parts.append(f"COPY public.{table} ({', '.join(columns)}) FROM stdin;")
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                parts.append(b"".join(bytes(block) for block in copy).decode().rstrip("\n"))
            parts.append("\\.")
    return "\n".join(parts)


def rows(text: str, table: str) -> list[list[str]]:
    """The rows of `table` in the dump, in the dump's order, as lists of column texts."""
    if connection.vendor == "sqlite":
        prefix = f'INSERT INTO "{table}" VALUES('
        return [
            [value.strip("'") for value in line[len(prefix) : -2].split(",")]
            for line in text.splitlines()
            if line.startswith(prefix)
        ]
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith(f"COPY public.{table} ("):
            return [row.split("\t") for row in _until_end(lines)]
    raise AssertionError(f"{table} is not in the dump")


def _until_end(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        if line == "\\.":
            return
        yield line


def columns(text: str, table: str) -> list[str]:
    if connection.vendor == "sqlite":
        create = next(line for line in text.splitlines() if line.startswith(f'CREATE TABLE "{table}"'))
        return re.findall(r'"(\w+)" [a-z]', create.split("(", 1)[1])
    header = next(line for line in text.splitlines() if line.startswith(f"COPY public.{table} ("))
    return header.split("(", 1)[1].split(")")[0].split(", ")


def table(text: str, name: str) -> list[dict[str, str]]:
    """The rows of table `name` in the dump's order, each by column name."""
    names = columns(text, name)
    return [dict(zip(names, row, strict=True)) for row in rows(text, name)]


def ballot_receipts_in_dump_order(text: str) -> list[str]:
    return [row["receipt"] for row in table(text, BALLOT_TABLE)]


@pytest.mark.django_db(transaction=True)
def test_a_full_dump_after_sealing_cannot_tell_who_cast_which_ballot(village):
    election = voting_election(village)
    voting_order = vote_in_order(village, election)

    close_and_seal(election)
    text = dump()

    # The same twelve ballots, each with a receipt its voter holds.
    dumped_order = ballot_receipts_in_dump_order(text)
    assert sorted(dumped_order) == sorted(voting_order)
    # Nothing shared: no turnout value is a ballot value, but the round both name.
    assert sorted(columns(text, BALLOT_TABLE)) == ["content", "id", "receipt", "round_id"]
    assert sorted(columns(text, TURNOUT_TABLE)) == ["by_proxy", "id", "round_id", "voter_id"]
    ballots, turnout = table(text, BALLOT_TABLE), table(text, TURNOUT_TABLE)
    assert len(turnout) == 12
    ballot_values = {value for row in ballots for column, value in row.items() if column != "round_id"}
    turnout_values = {value for row in turnout for column, value in row.items() if column != "round_id"}
    assert ballot_values.isdisjoint(turnout_values)
    assert {row["round_id"] for row in ballots} == {row["round_id"] for row in turnout}
    # No time in the ballot table.
    assert not any(TIME.search(value) for row in rows(text, BALLOT_TABLE) for value in row)
    # Not the order of voting (see the module's docstring for the odds).
    assert dumped_order != voting_order
    assert dumped_order != voting_order[::-1]


@pytest.mark.django_db(transaction=True)
def test_each_seal_draws_a_new_order(village):
    election = voting_election(village)
    voting_order = vote_in_order(village, election)

    orders = []
    for _seal in range(3):
        close_and_seal(election)
        orders.append(ballot_receipts_in_dump_order(dump()))

    assert all(sorted(order) == sorted(voting_order) for order in orders)
    assert voting_order not in orders
    assert len({tuple(order) for order in orders}) == 3


@pytest.mark.django_db(transaction=True)
def test_control_without_sealing_or_mixing_the_dump_shows_the_order_of_voting(village, monkeypatch):
    """The check above can fail: the leak it looks for is real when nothing hides it."""
    monkeypatch.setattr(casting, "MIX", 0)
    election = voting_election(village)
    voting_order = vote_in_order(village, election)

    assert ballot_receipts_in_dump_order(dump()) == voting_order


@pytest.mark.django_db(transaction=True)
def test_mixing_while_voting_moves_earlier_ballots_behind_the_newest(village):
    """During voting the last row of the ballot table is not always the newest ballot."""
    election = voting_election(village)
    voting_order = vote_in_order(village, election)

    dumped = ballot_receipts_in_dump_order(dump())

    assert sorted(dumped) == sorted(voting_order)
    assert dumped != voting_order


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_after_sealing_every_ballot_carries_the_sealing_transaction_and_no_turnout_row_does(village):
    election = voting_election(village)
    vote_in_order(village, election)

    with transaction.atomic():
        VotingRound.objects.filter(election=election, number=1).update(status=RoundStatus.CLOSED)
        seal_round(election.rounds.get(number=1))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::xid::text")
            sealing = cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT DISTINCT xmin::text FROM "{BALLOT_TABLE}"')
        ballot_transactions = {row[0] for row in cursor.fetchall()}
        cursor.execute(f'SELECT DISTINCT xmin::text FROM "{TURNOUT_TABLE}"')
        turnout_transactions = {row[0] for row in cursor.fetchall()}
    assert ballot_transactions == {sealing}
    assert len(turnout_transactions) == 12
    assert sealing not in turnout_transactions
