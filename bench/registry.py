"""一标三实 at the size of Shangcheng: address type-ahead, plate scan to household,
masked resident search, a 100,000-row import, the database's size.

    .venv/bin/python bench/registry.py             # ≈600k rooms, 20k buildings, 1.6M people
    .venv/bin/python bench/registry.py --scale 0.05 --rounds 50     # a quick look

Runs on a PostgreSQL cluster and a Redis server of its own (bench.harness.own_services:
spare ports, fsync off, both removed at the end; `--keep DIR` keeps the cluster and
measures it again next time without building it anew), migrated and seeded with the
demo district, production settings, the production-mode server (Uvicorn ×2) beside it.

1. The registry: demo.registry's plan at Shangcheng's size (one community per patrol
   zone, ≈14 compounds of ≈20 buildings each, 2–3 units, 5–7 floors, 2 rooms a floor;
   a road per community with ≈1,450 door plates, nearly all shops): every address
   filled by community.registry.address_fill (its place from the point, its search
   text, its community officer), the residents with their ID numbers and phones
   encrypted by the model's own field and their lookup digests, houses and
   organisations, all by COPY; then VACUUM ANALYZE.
2. Address type-ahead: `GET /api/v1/addresses/?q=` as a call-taker (the whole district),
   queries drawn from the registry as people type them: a compound's name or part of
   it, its pinyin initials, a compound and building (翠苑 3幢), down to the room
   (翠苑 3-2-301), a road and door plate.
3. Plate scan → household: as the officer who scans (a post officer, its own area),
   `GET /api/v1/addresses/{id}/` then `POST …/household/` with a purpose — the audited
   read: one access record per person shown, in the request's transaction.
4. Masked resident search: `GET /api/v1/residents/?name=|id_number=|phone=`.
5. Import: 100,000 resident rows (CSV, new people in existing rooms) through
   community.registry_io.registry_import, checked and written; then the same file
   again (nothing changes: idempotent).
6. The database's size, and the registry's tables.

Targets (issue 15): type-ahead p95 ≤ 50 ms, plate → household p95 ≤ 50 ms, a 100,000-row
import ≤ 60 s.
"""

import argparse
import asyncio
import csv
import io
import json
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TARGET_MS = 50
IMPORT_TARGET_S = 60
LOAD_SETTINGS = {"max_wal_size": "8GB", "maintenance_work_mem": "512MB"}


def sizes_for(scale: float):
    """Shangcheng: ≈600,000 rooms in ≈20,000 buildings, 1.64M residents, 100,000
    organisations, over the demo's ≈70 zones; `scale` shrinks the compounds and roads."""
    from demo.registry import Sizes

    compounds = max(1, round(14 * scale))
    return Sizes(
        compounds=(compounds, compounds + max(1, compounds // 7)),
        buildings=(18, 22),
        units=(2, 3),
        floors=(5, 7),
        rooms_per_floor=2,
        door_plates=max(4, round(1450 * scale)),
        shop_share=0.97,
    )


# --- Step 1: the registry, by COPY -------------------------------------------------------

ADDRESS_COLUMNS = (
    "id", "code", "element", "name", "full_name", "parent_id", "community_id", "building_id",
    "search", "lat", "lng", "zone_id", "station_id", "post_id", "street_id", "officer_id",
    "active_from", "retired_on", "registered_at", "registered_by_id",
)  # fmt: skip
RESIDENT_COLUMNS = (
    "id", "address_id", "id_number", "id_digest", "id_masked", "name", "gender", "birth_date",
    "ethnicity", "phone", "phone_digest", "phone_masked", "household", "presence",
    "head_relation", "moved_in", "moved_out", "out_reason", "collected_by_id", "collected_at",
    "station_id", "post_id", "street_id",
)  # fmt: skip


def _value(value) -> str:
    if value is None:
        return r"\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy(cursor, table: str, columns, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_value(v) for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer, size=1 << 20)


def build(scale: float, seed: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from community.personal import digest, mask_id, mask_phone
    from community.registry import address_fill
    from community.registry_models import Resident, StandardAddress
    from demo.registry import fake_credit_code, registry_plan

    began = time.perf_counter()
    # The demo's seed made the community officers (demo.registry.community_officers).
    plan = registry_plan(seed=seed, sizes=sizes_for(scale))
    drawn = time.perf_counter() - began
    print(f"  drawn: {len(plan.nodes):,} addresses, {len(plan.people):,} people, "
          f"{len(plan.shops):,} shops in {drawn:.0f} s", flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM community_standardaddress")
        first_id = cursor.fetchone()[0] + 1
    now = timezone.now().isoformat()
    today = date.today().isoformat()
    officers: dict = {}
    filled: list = []
    rows = []
    for index, node in enumerate(plan.nodes):
        parent = filled[node.parent] if node.parent is not None else None
        address = StandardAddress(
            pk=first_id + index, code=f"B{node.code}", element=node.element, name=node.name,
            parent=parent, lat=node.lat, lng=node.lng,
        )  # fmt: skip
        address_fill(address, parent, officers=officers)
        filled.append(address)
        rows.append((
            address.pk, address.code, address.element, address.name, address.full_name,
            parent.pk if parent else None, address.community.pk if address.community else None,
            address.building.pk if address.building else None, address.search, address.lat,
            address.lng, address.zone_id, address.station_id, address.post_id,
            address.street_id, address.officer_id, today, None, now, None,
        ))  # fmt: skip
    filled_s = time.perf_counter() - began - drawn
    cipher = Resident._meta.get_field("id_number").f
    people = []
    for number, p in enumerate(plan.people, start=1):
        address = filled[p.room]
        phone = p.phone
        people.append((
            number, address.pk, cipher.encrypt(p.id_number.encode()).decode(),
            digest(p.id_number), mask_id(p.id_number), p.name, p.gender,
            p.birth_date.isoformat(), "",
            cipher.encrypt(phone.encode()).decode() if phone else None,
            digest(phone), mask_phone(phone) if phone else "", p.household, p.presence,
            p.head_relation, p.moved_in.isoformat(), None, "", None, now, address.station_id,
            address.post_id, address.street_id,
        ))  # fmt: skip
    encrypted_s = time.perf_counter() - began - drawn - filled_s
    rng = random.Random(seed + 2)
    rooms = sorted({p.room for p in plan.people})
    with connection.cursor() as cursor:
        _copy(cursor, "community_standardaddress", ADDRESS_COLUMNS, rows)
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM community_resident")
        offset = cursor.fetchone()[0]
        _copy(cursor, "community_resident", RESIDENT_COLUMNS,
              ((row[0] + offset, *row[1:]) for row in people))  # fmt: skip
        _copy(cursor, "community_house",
              ("address_id", "use", "area_m2", "owner_name", "owner_phone",
               "owner_phone_masked", "rented", "tenants_checked_on", "station_id", "post_id",
               "street_id"),
              ((filled[i].pk, "rented" if rng.random() < 0.25 else "home",
                rng.randint(45, 140), "某", None, "", False, None, filled[i].station_id,
                filled[i].post_id, filled[i].street_id) for i in rooms))  # fmt: skip
        codes = set()
        orgs = []
        for i, _code, name, industry in plan.shops:
            code = fake_credit_code(rng)
            while code in codes:
                code = fake_credit_code(rng)
            codes.add(code)
            orgs.append((code, name, filled[i].pk, industry, "", None, "", rng.randint(2, 30),
                         True, now, filled[i].station_id, filled[i].post_id,
                         filled[i].street_id))  # fmt: skip
        _copy(cursor, "community_organisation",
              ("credit_code", "name", "address_id", "industry", "contact_name", "contact_phone",
               "contact_phone_masked", "staff", "active", "registered_at", "station_id",
               "post_id", "street_id"), orgs)  # fmt: skip
        for table in ("community_standardaddress", "community_resident", "community_house",
                      "community_organisation"):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    copied_s = time.perf_counter() - began - drawn - filled_s - encrypted_s
    connection.close()
    vacuum_began = time.perf_counter()
    harness.manage("dbshell", "--", "-c", "VACUUM ANALYZE")
    figures = {
        "addresses": len(plan.nodes),
        "buildings": sum(1 for n in plan.nodes if n.element == "50"),
        "rooms": sum(1 for n in plan.nodes if n.element == "62"),
        "residents": len(plan.people),
        "organisations": len(plan.shops),
        "seconds": {
            "draw": round(drawn),
            "fill": round(filled_s),
            "encrypt": round(encrypted_s),
            "copy": round(copied_s),
            "vacuum": round(time.perf_counter() - vacuum_began),
        },  # fmt: skip
    }
    print(f"  built: {figures}", flush=True)
    return figures


# --- Steps 2–4: over HTTP -------------------------------------------------------------------


def samples(seed: int, rounds: int) -> dict:
    """Queries and targets drawn from the registry as it is in the database."""
    from rest_framework.authtoken.models import Token

    from commandcenter.models import User
    from community.choices import AddressElement as E
    from community.registry_models import Resident, StandardAddress

    rng = random.Random(seed)
    compounds = list(
        StandardAddress.objects.filter(element=E.COMPOUND).values_list("pk", "name", "search")
    )
    queries = []
    for _ in range(rounds):
        pk, name, search = rng.choice(compounds)
        building = StandardAddress.objects.filter(parent_id=pk).order_by("?").first()
        room = StandardAddress.objects.filter(building=building, element=E.ROOM).order_by(
            "?"
        ).first()  # fmt: skip
        unit = (
            room.parent.name.removesuffix("单元") if room and room.parent_id != building.pk else ""
        )
        floor_room = room.name.removesuffix("室") if room else ""
        queries += [
            ("compound", name[:2]),
            ("compound", name),
            ("initials", search.split(" ")[1][-len(name) :][:4]),
            ("building", f"{name[:2]} {building.name}"),
            ("room", f"{name[:2]} {building.name.removesuffix('幢')}-{unit or 1}-{floor_room}"),
        ]
    plates = list(
        StandardAddress.objects.filter(element=E.BUILDING, parent__element=E.ROAD)
        .values_list("parent__name", "name")
        .order_by("?")[:rounds]
    )
    queries += [("door plate", f"{road} {plate}") for road, plate in plates]
    officer = User.objects.get(username="post_officer")
    rooms = list(
        StandardAddress.objects.filter(post=officer.post, element=E.ROOM,
                                       residents__isnull=False)
        .distinct().values_list("pk", flat=True)[:5000]
    )  # fmt: skip
    people = list(Resident.objects.order_by("?").values_list("pk", flat=True)[:rounds])
    found = []
    for resident in Resident.objects.filter(pk__in=people):
        found += [
            ("name", {"name": resident.name}),
            ("id_number", {"id_number": resident.id_number}),
            ("phone", {"phone": resident.phone or ""}),
        ]
    dispatcher = User.objects.get(username="dispatcher")
    return {
        "queries": queries,
        "plates": [rng.choice(rooms) for _ in range(rounds)] if rooms else [],
        "found": [f for f in found if all(f[1].values())],
        "tokens": {
            "dispatcher": Token.objects.get_or_create(user=dispatcher)[0].key,
            "officer": Token.objects.get_or_create(user=officer)[0].key,
        },
    }


def _report(label: str, values: list[float], target: float | None = None) -> dict:
    p50, p95 = harness.percentile(values, 0.5), harness.percentile(values, 0.95)
    verdict = "" if target is None else ("  ok" if p95 <= target else "  OVER")
    print(f"  {label:<28} n={len(values):<5} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
          f"max {max(values):6.1f} ms{verdict}", flush=True)  # fmt: skip
    return {"n": len(values), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}


async def _timed(connection, method: str, path: str, body=None) -> tuple[float, int, bytes]:
    began = time.perf_counter()
    status, data = await connection.request(method, path, body)
    return (time.perf_counter() - began) * 1000, status, data


async def _measure(port: int, drawn: dict) -> dict:
    from urllib.parse import urlencode

    call_taker = harness.Connection(port, drawn["tokens"]["dispatcher"])
    officer = harness.Connection(port, drawn["tokens"]["officer"])
    await call_taker.open()
    await officer.open()
    figures: dict = {}
    try:
        by_kind: dict[str, list[float]] = {}
        empty = 0
        for warm in drawn["queries"][:10]:
            await _timed(call_taker, "GET", f"/api/v1/addresses/?{urlencode({'q': warm[1]})}")
        for kind, query in drawn["queries"]:
            ms, status, data = await _timed(
                call_taker, "GET", f"/api/v1/addresses/?{urlencode({'q': query})}"
            )
            if status != 200:
                raise RuntimeError(f"type-ahead {query!r} answered {status}: {data[:200]!r}")
            empty += not json.loads(data)["results"]
            by_kind.setdefault(kind, []).append(ms)
        print(f"Address type-ahead (GET /api/v1/addresses/?q=), as a call-taker; "
              f"{empty} of {len(drawn['queries'])} found nothing:")  # fmt: skip
        every = [v for values in by_kind.values() for v in values]
        figures["typeahead"] = _report("every query", every, TARGET_MS)
        for kind, values in by_kind.items():
            figures[f"typeahead {kind}"] = _report(f"  {kind}", values, TARGET_MS)

        detail, unmask, both = [], [], []
        for room in drawn["plates"]:
            ms_a, status_a, _ = await _timed(officer, "GET", f"/api/v1/addresses/{room}/")
            ms_b, status_b, data = await _timed(
                officer, "POST", f"/api/v1/addresses/{room}/household/", {"purpose": "visit"}
            )
            if (status_a, status_b) != (200, 200):
                raise RuntimeError(f"plate {room}: {status_a}, {status_b} {data[:200]!r}")
            detail.append(ms_a)
            unmask.append(ms_b)
            both.append(ms_a + ms_b)
        print("Plate scan → household, as the post officer of the area (audited unmask):")
        figures["plate"] = _report("address + household", both, TARGET_MS)
        figures["plate address"] = _report("  GET address", detail)
        figures["plate unmask"] = _report("  POST household (audit)", unmask)

        print("Masked resident search (GET /api/v1/residents/), as a call-taker:")
        searched: dict[str, list[float]] = {}
        for kind, params in drawn["found"]:
            ms, status, data = await _timed(
                call_taker, "GET", f"/api/v1/residents/?{urlencode(params)}"
            )
            if status != 200 or data == b"[]":
                raise RuntimeError(f"resident search {kind} answered {status}: {data[:200]!r}")
            searched.setdefault(kind, []).append(ms)
        for kind, values in searched.items():
            figures[f"residents by {kind}"] = _report(f"by {kind}", values)
    finally:
        call_taker.close()
        officer.close()
    return figures


# --- Step 5: importing 100,000 rows -----------------------------------------------------------


def import_rows(rows: int, seed: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commandcenter.models import User
    from community.choices import AddressElement as E
    from community.registry_io import registry_import
    from community.registry_models import Resident, StandardAddress
    from demo.registry import _person

    # New people on every run, also over a kept registry: the seed follows its size.
    rng = random.Random(seed + 5 + Resident.objects.count())
    rooms = list(StandardAddress.objects.filter(element=E.ROOM).values_list("code", flat=True))
    today = date.today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["居住地址编码", "公民身份号码", "姓名", "性别", "出生日期", "联系电话",
                     "人口类别", "人户关系", "与户主关系", "登记日期"])  # fmt: skip
    labels = {"registered": "户籍", "migrant": "流动", "foreign": "境外",
              "both": "人户一致", "here": "人在户不在", "away": "户在人不在"}  # fmt: skip
    for _ in range(rows):
        person = _person(rng, 0, today, "租客", rng.choice("王李张"))
        writer.writerow([rng.choice(rooms), person.id_number, person.name, person.gender,
                         person.birth_date.isoformat(), person.phone,
                         labels[person.household], labels[person.presence], "租客",
                         person.moved_in.isoformat()])  # fmt: skip
    data = out.getvalue().encode("utf-8")
    admin = User.objects.get(username="admin")
    figures = {"rows": rows, "megabytes": round(len(data) / 2**20, 1)}
    for run in ("first", "again"):
        began = time.perf_counter()
        result = registry_import(
            actor=admin, kind="residents", upload=SimpleUploadedFile("residents.csv", data)
        )
        seconds = time.perf_counter() - began
        figures[run] = {"seconds": round(seconds, 1), "created": result.created,
                        "updated": result.updated, "unchanged": result.unchanged,
                        "refused": len(result.refused)}  # fmt: skip
        verdict = "ok" if seconds <= IMPORT_TARGET_S else "OVER"
        print(f"  import {run:<6} {seconds:6.1f} s  ({rows / seconds:,.0f} rows/s)  "
              f"created {result.created:,}, unchanged {result.unchanged:,}, "
              f"refused {len(result.refused):,}  {verdict if run == 'first' else ''}",
              flush=True)  # fmt: skip
    return figures


def sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        tables = {}
        for table in ("community_standardaddress", "community_resident", "community_house",
                      "community_organisation", "commandcenter_accessrecord"):  # fmt: skip
            cursor.execute("SELECT pg_total_relation_size(%s), pg_indexes_size(%s)", [table] * 2)
            size, indexes = cursor.fetchone()
            tables[table] = {"mb": round(size / 2**20), "indexes_mb": round(indexes / 2**20)}
    print(f"Database: {total / 2**30:.2f} GB; " + ", ".join(
        f"{t.removeprefix('community_')} {v['mb']} MB (indexes {v['indexes_mb']})"
        for t, v in tables.items()))  # fmt: skip
    return {"database_gb": round(total / 2**30, 2), "tables": tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = Shangcheng's size")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=200, help="samples per measurement")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="Uvicorn workers")
    parser.add_argument("--keep", type=Path, help="keep the cluster here (and reuse it)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    figures: dict = {"scale": args.scale}
    with harness.own_services(settings=LOAD_SETTINGS, keep=args.keep) as services:
        print(f"Own PostgreSQL (fsync off) and Redis: {services['DATABASE_URL']}", flush=True)
        built = args.keep and (args.keep / "registry.json").exists()
        if not built:
            print("Preparing the bench database (demo district)…", flush=True)
            harness.prepare_database("--history-days", "0")
            harness.django_setup()
            print("Building the registry by COPY…", flush=True)
            figures["registry"] = build(args.scale, args.seed)
            if args.keep:
                (args.keep / "registry.json").write_text(json.dumps(figures["registry"]))
        else:
            harness.manage("migrate", "--noinput", "-v0")
            harness.django_setup()
            figures["registry"] = json.loads((args.keep / "registry.json").read_text())
            print(f"Reusing the registry in {args.keep}: {figures['registry']}", flush=True)
        drawn = samples(args.seed, args.rounds)
        with harness.production_server(workers=args.workers) as port:
            figures.update(asyncio.run(_measure(port, drawn)))
        print(f"Import of {args.import_rows:,} resident rows (CSV), checked then written:")
        figures["import"] = import_rows(args.import_rows, args.seed)
        figures["size"] = sizes()
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
