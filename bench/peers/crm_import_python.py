"""The peer of `bench/run crm-import`: the same CSV import written the way a competent Python team
writes it — one process, the `csv` module streaming the file in chunks, `phonenumbers` for E.164,
psycopg 3 `COPY` into PostgreSQL and set-based SQL for everything that touches many rows.

    python bench/peers/crm_import_python.py --csv leads.csv --postgres-url URL [--tenant bench]

(`csv` rather than `pandas.read_csv(chunksize=…)`: the import must keep every row's raw cells and report
ragged rows, which pandas' C parser drops or pads silently.)

Proposals phase (timed as `proposals_s`, from opening the file to proposals with merge candidates):
  1. stream the file (BOM, quoted commas/newlines), 50,000 rows a chunk; each row: cell count checked,
     honorific split off the name, name_key (velocity's match key: no diacritics, lower case, ' . `
     dropped, other non-alphanumerics one space), Mobile and WhatsApp through
     `phonenumbers.parse(…, "IN")` + `is_valid_number` → E.164, the e-mail stripped, lower-cased and
     checked, the city as written (no alias table, as in velocity), budget in crore or lakh ("1.5",
     "85 L", "1.5-2", "2 Cr") → rupees, config ("3bhk" → "3 BHK"), dd/mm/yyyy → date. A row is an error
     when it is ragged, or has no name, or neither a valid phone nor a valid e-mail; other problems are
     issues;
  2. every row's raw cells and issues COPYed into `peer.peer_import_rows`, the normalized rows into a
     staging temp table;
  3. in-file duplicates: union-find in Python over the rows, joined by any shared phone or e-mail;
     the groups COPYed into a temp table, then one `INSERT … SELECT … GROUP BY` writes one person
     proposal per group into `peer.peer_import_proposals` (first non-empty value of each field, all
     phones and e-mails, remarks joined, source rows listed);
  4. matching, set-based, with velocity's rules (CRMImportStore.matchPeopleSQL): the proposals' phones
     and e-mails in a temp table joined with `crm_person_identities` (phone and e-mail 0.99, phone 0.96,
     e-mail 0.93); fuzzy candidates from `crm_people` by `public.similarity(name_key)` within the
     blocking keys `right(primary_phone, 7)` (similarity ≥ 0.45, confidence 0.55 + 0.35 s) and
     `(lower(city), name block: first 2 letters of the first word | first 3 of the last)` (s ≥ 0.6, 0.40 + 0.40 s); a person's confidence is its best
     rule's; all candidates stored, the best as `best_candidate` / `merge_target`.
Review (not timed): approve every proposal without a candidate, merge those whose best candidate ≥ 0.95.
Commit phase (timed as `commit_s`), one transaction: new people into `peer.crm_people` (a copy of
`crm_people` made before the run) with their identities, merges as updates of the target (phones and
e-mails added, empty fields filled), a lead and a property interest per committed proposal, remarks as
interactions, proposals marked committed.

Prints one JSON line: rows, rows_with_errors, proposals, with_candidates, …, proposals_s, commit_s,
peak_rss_mib (VmHWM of this process). Progress goes to stderr.
"""
from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import re
import resource
import sys
import time
import unicodedata
import uuid
from datetime import date

import phonenumbers
import psycopg

COLUMNS = {  # the sheet's headers (any case) → our field
    "client name": "name", "name": "name", "mobile": "mobile", "phone": "mobile", "whatsapp": "whatsapp",
    "email id": "email", "email": "email", "company": "company", "city": "city", "budget (cr)": "budget",
    "budget": "budget", "project interested": "project", "project": "project", "config": "config",
    "source": "source", "remarks": "remarks", "enquiry date": "enquiry_date",
}
HONORIFIC = re.compile(r"^(mr|mrs|ms|miss|dr|smt|shri|shrimati|sri|capt|prof)\.?\s+", re.I)
EMAIL = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
BUDGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*(cr|crore|crores|l|lac|lakh|lakhs)?\s*$", re.I)
BHK = re.compile(r"^\s*(\d+(?:\.5)?)\s*bhk\b\s*(.*)$", re.I)
DROPPED = re.compile(r"['’.`]")
NON_WORD = re.compile(r"[^\w]|_")
CHUNK = 50_000


def name_key(name: str) -> str:
    """velocity's match key: no diacritics, lower case, ' . ` dropped, other non-alphanumerics one space."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(NON_WORD.sub(" ", DROPPED.sub("", text)).split())


@functools.lru_cache(maxsize=1 << 16)
def e164(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def budget(text: str) -> tuple[int | None, int | None, bool]:
    if not text.strip():
        return None, None, True
    m = BUDGET.match(text)
    if not m:
        return None, None, False
    unit = 100_000 if (m.group(3) or "cr").lower().startswith("l") else 10_000_000
    low = round(float(m.group(1)) * unit)
    high = round(float(m.group(2)) * unit) if m.group(2) else low
    return low, high, True


def config(text: str) -> str:
    m = BHK.match(text)
    if not m:
        return text.strip()
    rest = m.group(2).strip()
    return f"{m.group(1)} BHK" + (f" {rest.title()}" if rest else "")


def city(text: str) -> str | None:
    """As written, spaces collapsed (like velocity: no alias table, so "Bangalore" ≠ "Bengaluru")."""
    return " ".join(text.split()) or None


def parse_date(text: str) -> str | None:
    try:
        d, m, y = text.strip().split("/")
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


class UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the earliest row stays the root


def vm_hwm_mib() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] peer: {message}", file=sys.stderr, flush=True)


SETUP = """
DROP SCHEMA IF EXISTS {s} CASCADE;
CREATE SCHEMA {s};
CREATE TABLE {s}.peer_import_rows (
    batch_id uuid NOT NULL, row_number int NOT NULL, line int NOT NULL, cells text[] NOT NULL, issues jsonb,
    PRIMARY KEY (batch_id, row_number));
CREATE TABLE {s}.peer_import_proposals (
    id uuid PRIMARY KEY, batch_id uuid NOT NULL, seq int NOT NULL, source_rows int[] NOT NULL,
    full_name text NOT NULL, first_name text, last_name text, salutation text, name_key text NOT NULL,
    primary_phone text, phones text[] NOT NULL, primary_email text, emails text[] NOT NULL,
    company text, city text, budget_min bigint, budget_max bigint, project text, configuration text,
    source text, remarks text, enquiry_date date, issues jsonb,
    merge_candidates jsonb NOT NULL DEFAULT '[]', best_candidate double precision, merge_target uuid,
    review_required boolean NOT NULL DEFAULT false, status text NOT NULL DEFAULT 'pending',
    committed_entity_id uuid, committed_at timestamptz);
CREATE TABLE {s}.crm_people (LIKE public.crm_people INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
INSERT INTO {s}.crm_people SELECT * FROM public.crm_people WHERE tenant_id = %(tenant)s;
ALTER TABLE {s}.crm_people ADD PRIMARY KEY (id);
CREATE TABLE {s}.crm_person_identities (LIKE public.crm_person_identities INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
INSERT INTO {s}.crm_person_identities SELECT * FROM public.crm_person_identities WHERE tenant_id = %(tenant)s;
ALTER TABLE {s}.crm_person_identities ADD PRIMARY KEY (tenant_id, kind, value, person_id);
CREATE TABLE {s}.crm_leads (
    id uuid PRIMARY KEY, tenant_id text NOT NULL, person_id uuid NOT NULL, source text, stage text,
    source_created_at text, import_batch_id uuid, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE {s}.crm_property_interests (
    id uuid PRIMARY KEY, tenant_id text NOT NULL, person_id uuid NOT NULL, lead_id uuid, project text,
    configuration text, budget_min bigint, budget_max bigint, currency text, location text, import_batch_id uuid,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE {s}.intel_interactions (
    id uuid PRIMARY KEY, tenant_id text NOT NULL, person_id uuid NOT NULL, kind text NOT NULL, body text NOT NULL,
    source_ref text NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now());
ANALYZE {s}.crm_people;
ANALYZE {s}.crm_person_identities;
"""

STAGING = """
CREATE TEMP TABLE staging (
    row_number int PRIMARY KEY, full_name text, first_name text, last_name text, salutation text, name_key text,
    phone1 text, phone2 text, email text, company text, city text, budget_min bigint, budget_max bigint,
    project text, configuration text, source text, remarks text, enquiry_date date, issues jsonb)
"""

PROPOSE = """
INSERT INTO {s}.peer_import_proposals (id, batch_id, seq, source_rows, full_name, first_name, last_name, salutation,
    name_key, primary_phone, phones, primary_email, emails, company, city, budget_min, budget_max, project,
    configuration, source, remarks, enquiry_date, issues)
SELECT gen_random_uuid(), %(batch)s, min(s.row_number), array_agg(s.row_number ORDER BY s.row_number),
    (array_agg(s.full_name ORDER BY s.row_number))[1],
    (array_agg(s.first_name ORDER BY s.row_number))[1],
    (array_agg(s.last_name ORDER BY s.row_number))[1],
    (array_agg(s.salutation ORDER BY s.row_number) FILTER (WHERE s.salutation IS NOT NULL))[1],
    (array_agg(s.name_key ORDER BY s.row_number))[1],
    (array_agg(coalesce(s.phone1, s.phone2) ORDER BY s.row_number) FILTER (WHERE coalesce(s.phone1, s.phone2) IS NOT NULL))[1],
    coalesce((SELECT array_agg(DISTINCT x) FROM unnest(array_agg(s.phone1) || array_agg(s.phone2)) x WHERE x IS NOT NULL), '{{}}'),
    (array_agg(s.email ORDER BY s.row_number) FILTER (WHERE s.email IS NOT NULL))[1],
    coalesce(array_agg(DISTINCT s.email) FILTER (WHERE s.email IS NOT NULL), '{{}}'),
    (array_agg(s.company ORDER BY s.row_number) FILTER (WHERE s.company IS NOT NULL))[1],
    (array_agg(s.city ORDER BY s.row_number) FILTER (WHERE s.city IS NOT NULL))[1],
    (array_agg(s.budget_min ORDER BY s.row_number) FILTER (WHERE s.budget_min IS NOT NULL))[1],
    (array_agg(s.budget_max ORDER BY s.row_number) FILTER (WHERE s.budget_max IS NOT NULL))[1],
    (array_agg(s.project ORDER BY s.row_number) FILTER (WHERE s.project IS NOT NULL))[1],
    (array_agg(s.configuration ORDER BY s.row_number) FILTER (WHERE s.configuration IS NOT NULL))[1],
    (array_agg(s.source ORDER BY s.row_number) FILTER (WHERE s.source IS NOT NULL))[1],
    string_agg(s.remarks, ' | ' ORDER BY s.row_number) FILTER (WHERE s.remarks IS NOT NULL),
    (array_agg(s.enquiry_date ORDER BY s.row_number) FILTER (WHERE s.enquiry_date IS NOT NULL))[1],
    jsonb_agg(s.issues) FILTER (WHERE s.issues IS NOT NULL)
FROM staging s JOIN groups g USING (row_number)
GROUP BY g.group_id
"""

MATCH = """
CREATE TEMP TABLE match_keys AS
    SELECT p.id AS proposal_id, 'phone'::text AS kind, x AS value FROM {s}.peer_import_proposals p, unnest(p.phones) x
    WHERE p.batch_id = %(batch)s
    UNION ALL
    SELECT p.id, 'email', x FROM {s}.peer_import_proposals p, unnest(p.emails) x WHERE p.batch_id = %(batch)s;
CREATE TEMP TABLE candidates AS
    SELECT k.proposal_id, i.person_id,
           CASE WHEN bool_or(k.kind = 'phone') AND bool_or(k.kind = 'email') THEN 0.99
                WHEN bool_or(k.kind = 'phone') THEN 0.96 ELSE 0.93 END::float8 AS confidence,
           string_agg(DISTINCT 'exact_' || k.kind, '+') AS reason
    FROM match_keys k
    JOIN public.crm_person_identities i ON i.tenant_id = %(tenant)s AND i.kind = k.kind AND i.value = k.value
    GROUP BY k.proposal_id, i.person_id;
CREATE TEMP TABLE keyed AS
    SELECT p.id, p.name_key, right(p.primary_phone, 7) AS phone_suffix, lower(p.city) AS city
    FROM {s}.peer_import_proposals p WHERE p.batch_id = %(batch)s;
ANALYZE keyed;
INSERT INTO candidates
    SELECT x.id, c.id, 0.55 + 0.35 * public.similarity(c.name_key, x.name_key), 'phone_suffix'
    FROM keyed x JOIN public.crm_people c
      ON c.tenant_id = %(tenant)s AND right(c.primary_phone, 7) = x.phone_suffix
    WHERE x.phone_suffix IS NOT NULL AND x.name_key <> '' AND public.similarity(c.name_key, x.name_key) >= 0.45;
INSERT INTO candidates
    SELECT x.id, c.id, 0.40 + 0.40 * public.similarity(c.name_key, x.name_key), 'city'
    FROM keyed x JOIN public.crm_people c
      ON c.tenant_id = %(tenant)s AND lower(c.city) = x.city
     AND (left(c.name_key, 2) || '|' || left(regexp_replace(c.name_key, '^.* ', ''), 3))
       = (left(x.name_key, 2) || '|' || left(regexp_replace(x.name_key, '^.* ', ''), 3))
    WHERE x.city IS NOT NULL AND length(x.name_key) >= 3 AND public.similarity(c.name_key, x.name_key) >= 0.6;
UPDATE {s}.peer_import_proposals p
SET merge_candidates = b.candidates, best_candidate = b.best, merge_target = b.target, review_required = true
FROM (
    SELECT proposal_id, max(confidence) AS best,
           (array_agg(person_id ORDER BY confidence DESC, person_id))[1] AS target,
           jsonb_agg(jsonb_build_object('person_id', person_id, 'confidence', round(confidence::numeric, 3),
                                        'reason', reason) ORDER BY confidence DESC, person_id) AS candidates
    FROM (SELECT c.proposal_id, c.person_id, max(c.confidence) AS confidence, string_agg(c.reason, ',') AS reason
          FROM candidates c GROUP BY c.proposal_id, c.person_id) ranked
    GROUP BY proposal_id) b
WHERE p.id = b.proposal_id;
"""

REVIEW = """
UPDATE {s}.peer_import_proposals SET status = 'approved'
WHERE batch_id = %(batch)s AND status = 'pending' AND best_candidate IS NULL;
UPDATE {s}.peer_import_proposals SET status = 'merge'
WHERE batch_id = %(batch)s AND status = 'pending' AND best_candidate >= 0.95;
"""

COMMIT = """
UPDATE {s}.peer_import_proposals SET committed_entity_id = gen_random_uuid()
WHERE batch_id = %(batch)s AND status = 'approved';
UPDATE {s}.peer_import_proposals SET committed_entity_id = merge_target
WHERE batch_id = %(batch)s AND status = 'merge';
INSERT INTO {s}.crm_people (id, tenant_id, full_name, first_name, last_name, salutation, name_key, primary_phone,
    phones, primary_email, emails, city, source_batch_id)
SELECT committed_entity_id, %(tenant)s, full_name, first_name, last_name, salutation, name_key, primary_phone,
    phones, primary_email, emails, city, batch_id
FROM {s}.peer_import_proposals WHERE batch_id = %(batch)s AND status = 'approved';
UPDATE {s}.crm_people c
SET phones = ARRAY(SELECT DISTINCT x FROM unnest(c.phones || p.phones) x),
    emails = ARRAY(SELECT DISTINCT x FROM unnest(c.emails || p.emails) x),
    primary_phone = coalesce(c.primary_phone, p.primary_phone),
    primary_email = coalesce(c.primary_email, p.primary_email),
    salutation = coalesce(c.salutation, p.salutation),
    city = coalesce(c.city, p.city), updated_at = now()
FROM {s}.peer_import_proposals p
WHERE p.batch_id = %(batch)s AND p.status = 'merge' AND c.id = p.merge_target;
INSERT INTO {s}.crm_person_identities (tenant_id, kind, value, person_id)
SELECT %(tenant)s, 'phone', x, p.committed_entity_id FROM {s}.peer_import_proposals p, unnest(p.phones) x
WHERE p.batch_id = %(batch)s AND p.status IN ('approved', 'merge')
UNION
SELECT %(tenant)s, 'email', x, p.committed_entity_id FROM {s}.peer_import_proposals p, unnest(p.emails) x
WHERE p.batch_id = %(batch)s AND p.status IN ('approved', 'merge')
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE new_leads AS
SELECT gen_random_uuid() AS id, committed_entity_id AS person_id, source, enquiry_date, project, configuration,
       budget_min, budget_max, city, remarks, seq
FROM {s}.peer_import_proposals WHERE batch_id = %(batch)s AND status IN ('approved', 'merge');
INSERT INTO {s}.crm_leads (id, tenant_id, person_id, source, stage, source_created_at, import_batch_id)
SELECT id, %(tenant)s, person_id, source, 'new', enquiry_date::text, %(batch)s FROM new_leads;
INSERT INTO {s}.crm_property_interests (id, tenant_id, person_id, lead_id, project, configuration, budget_min,
    budget_max, currency, location, import_batch_id)
SELECT gen_random_uuid(), %(tenant)s, person_id, id, project, configuration, budget_min, budget_max, 'INR', city,
       %(batch)s
FROM new_leads WHERE project IS NOT NULL OR configuration IS NOT NULL OR budget_min IS NOT NULL;
INSERT INTO {s}.intel_interactions (id, tenant_id, person_id, kind, body, source_ref)
SELECT gen_random_uuid(), %(tenant)s, person_id, 'note', remarks, 'import:' || %(batch)s || ':' || seq
FROM new_leads WHERE remarks IS NOT NULL;
UPDATE {s}.peer_import_proposals SET status = 'committed', committed_at = now()
WHERE batch_id = %(batch)s AND status IN ('approved', 'merge');
"""


def run_script(cur: psycopg.Cursor, script: str, params: dict) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            cur.execute(statement, params)


def propose(conn: psycopg.Connection, path: str, schema: str, batch: uuid.UUID, tenant: str, region: str) -> dict:
    stats = {"rows": 0, "rows_with_errors": 0, "rows_with_issues": 0}
    uf = UnionFind()
    row_of: list[int] = []  # union-find index → row number
    seen: dict[str, int] = {}  # phone or e-mail → first union-find index
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(STAGING)
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader)
            fields = [COLUMNS.get(" ".join(h.split()).lower()) for h in header]
            index = {name: i for i, name in enumerate(fields) if name}
            missing = {"name", "mobile", "email"} - set(index)
            if missing:
                raise SystemExit(f"unmapped required columns: {sorted(missing)} in {header}")
            width = len(header)
            get = lambda cells, name: cells[index[name]] if name in index else ""  # noqa: E731
            line_end = reader.line_num
            row_number = 0
            while True:
                raw_rows, staged = [], []
                for cells in reader:
                    row_number += 1
                    line, line_end = line_end + 1, reader.line_num
                    issues: list[dict] = []
                    if len(cells) != width:
                        issues.append({"code": "ragged", "cells": len(cells), "expected": width})
                        raw_rows.append((batch, row_number, line, cells, json.dumps(issues)))
                        stats["rows_with_errors"] += 1
                        if len(raw_rows) >= CHUNK:
                            break
                        continue
                    name = " ".join(get(cells, "name").split())
                    salutation = None
                    m = HONORIFIC.match(name)
                    if m:
                        salutation, name = m.group(0).strip(), name[m.end():]
                    if name.isupper() or name.islower():
                        name = name.title()
                    phones = []
                    for column in ("mobile", "whatsapp"):
                        text = get(cells, column).strip()
                        if text:
                            number = e164(text, region)
                            if number is None:
                                issues.append({"code": "invalid_phone", "column": column})
                            elif number not in phones:
                                phones.append(number)
                    email = get(cells, "email").strip().lower() or None
                    if email and not EMAIL.match(email):
                        issues.append({"code": "invalid_email"})
                        email = None
                    if not name or (not phones and not email):
                        issues.append({"code": "no_identity" if name else "no_name"})
                        raw_rows.append((batch, row_number, line, cells, json.dumps(issues)))
                        stats["rows_with_errors"] += 1
                        if len(raw_rows) >= CHUNK:
                            break
                        continue
                    low, high, ok = budget(get(cells, "budget"))
                    if not ok:
                        issues.append({"code": "budget"})
                    enquiry = get(cells, "enquiry_date")
                    enquiry_date = parse_date(enquiry) if enquiry.strip() else None
                    if enquiry.strip() and enquiry_date is None:
                        issues.append({"code": "date"})
                    words = name.split(" ")
                    remarks = get(cells, "remarks").strip() or None
                    issues_json = json.dumps(issues) if issues else None
                    stats["rows_with_issues"] += bool(issues)
                    raw_rows.append((batch, row_number, line, cells, issues_json))
                    staged.append((row_number, name, words[0], words[-1] if len(words) > 1 else None, salutation,
                                   name_key(name), phones[0] if phones else None, phones[1] if len(phones) > 1 else None,
                                   email, get(cells, "company").strip() or None, city(get(cells, "city")), low, high,
                                   get(cells, "project").strip() or None, config(get(cells, "config")) or None,
                                   get(cells, "source").strip() or None, remarks, enquiry_date, issues_json))
                    node = uf.add()
                    row_of.append(row_number)
                    for key in phones + ([email] if email else []):
                        other = seen.setdefault(key, node)
                        if other != node:
                            uf.union(node, other)
                    if len(raw_rows) >= CHUNK:
                        break
                if not raw_rows:
                    break
                with cur.copy(f"COPY {schema}.peer_import_rows (batch_id, row_number, line, cells, issues) "
                              "FROM STDIN") as copy:
                    for record in raw_rows:
                        copy.write_row(record)
                with cur.copy("COPY staging FROM STDIN") as copy:
                    for record in staged:
                        copy.write_row(record)
                stats["rows"] = row_number
                if row_number % 200_000 < CHUNK:
                    log(f"{row_number:,} rows read ({time.perf_counter() - started:.1f} s)")
        stats["read_s"] = round(time.perf_counter() - started, 2)
        del seen
        step = time.perf_counter()
        cur.execute("CREATE TEMP TABLE groups (row_number int PRIMARY KEY, group_id int NOT NULL)")
        with cur.copy("COPY groups FROM STDIN") as copy:
            for node, row in enumerate(row_of):
                copy.write_row((row, row_of[uf.find(node)]))
        stats["in_file_groups_s"] = round(time.perf_counter() - step, 2)
        step = time.perf_counter()
        cur.execute("ANALYZE staging")
        cur.execute("ANALYZE groups")
        cur.execute(PROPOSE.format(s=schema), {"batch": batch})
        stats["proposals"] = cur.rowcount
        stats["valid_rows"] = len(row_of)
        stats["group_s"] = round(time.perf_counter() - step, 2)
        step = time.perf_counter()
        run_script(cur, MATCH.format(s=schema), {"batch": batch, "tenant": tenant})
        stats["match_s"] = round(time.perf_counter() - step, 2)
        cur.execute(f"""SELECT count(*) FILTER (WHERE best_candidate IS NOT NULL),
                               count(*) FILTER (WHERE best_candidate >= 0.95),
                               count(*) FILTER (WHERE best_candidate IS NOT NULL AND best_candidate < 0.95)
                        FROM {schema}.peer_import_proposals WHERE batch_id = %s""", (batch,))
        stats["with_candidates"], stats["candidates_ge_095"], stats["candidates_below_095"] = cur.fetchone()
        for name in ("staging", "groups", "match_keys", "candidates", "keyed"):
            cur.execute(f"DROP TABLE {name}")
    conn.commit()
    return stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True)
    parser.add_argument("--postgres-url", required=True)
    parser.add_argument("--tenant", default="bench")
    parser.add_argument("--region", default="IN")
    parser.add_argument("--schema", default="peer")
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.schema):
        raise SystemExit("--schema must be a plain identifier")
    s = args.schema
    batch = uuid.uuid4()
    with psycopg.connect(args.postgres_url) as conn:
        log(f"setting up schema {s} (copies of crm_people and crm_person_identities; not timed)")
        with conn.cursor() as cur:
            run_script(cur, SETUP.format(s=s), {"tenant": args.tenant})
        conn.commit()
        log(f"proposals phase: {args.csv}")
        t0 = time.perf_counter()
        stats = propose(conn, args.csv, s, batch, args.tenant, args.region)
        t1 = time.perf_counter()
        log(f"{stats['rows']:,} rows → {stats['proposals']:,} proposals ({stats['with_candidates']:,} with "
            f"candidates) in {t1 - t0:.1f} s (read+normalize+COPY {stats['read_s']} s, groups "
            f"{stats['in_file_groups_s']} s, proposals {stats['group_s']} s, matching {stats['match_s']} s)")
        with conn.cursor() as cur:
            run_script(cur, REVIEW.format(s=s), {"batch": batch})
            cur.execute(f"SELECT status, count(*) FROM {s}.peer_import_proposals WHERE batch_id = %s GROUP BY 1",
                        (batch,))
            reviewed = dict(cur.fetchall())
        conn.commit()
        log(f"review: {reviewed}; commit phase")
        t2 = time.perf_counter()
        with conn.cursor() as cur:
            run_script(cur, COMMIT.format(s=s), {"batch": batch, "tenant": args.tenant})
        conn.commit()
        t3 = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(f"SELECT status, count(*) FROM {s}.peer_import_proposals WHERE batch_id = %s GROUP BY 1",
                        (batch,))
            final = dict(cur.fetchall())
            cur.execute(f"SELECT count(*) FROM {s}.crm_people")
            people = cur.fetchone()[0]
    log(f"commit: {final} in {t3 - t2:.1f} s; peer.crm_people now {people:,}")
    result = {
        "rows": stats["rows"], "rows_with_errors": stats["rows_with_errors"], "rows_with_issues": stats["rows_with_issues"],
        "proposals": stats["proposals"], "with_candidates": stats["with_candidates"],
        "candidates_ge_095": stats["candidates_ge_095"], "candidates_below_095": stats["candidates_below_095"],
        "approved": reviewed.get("approved", 0), "merged": reviewed.get("merge", 0),
        "committed": final.get("committed", 0), "pending": final.get("pending", 0), "people_after": people,
        "proposals_s": round(t1 - t0, 3), "commit_s": round(t3 - t2, 3),
        "rows_per_s": round(stats["rows"] / (t1 - t0), 1), "peak_rss_mib": round(vm_hwm_mib(), 1),
        "steps_s": {k: stats[k] for k in ("read_s", "in_file_groups_s", "group_s", "match_s")},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
