"""一标三实 imports (checked first, written in batches, idempotent), the community
export (masked), the plate sheet, the registry pages."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from community.registry_io import community_xlsx, registry_import
from community.registry_models import Resident, StandardAddress
from tests.community.conftest import resident_make, valid_id

ADDRESSES = """地址编码,上级地址编码,地址元素类型,名称,纬度,经度
D1,,13,上城区,30.005,120.005
S1,D1,23,湖滨街道,,
C1,S1,31,东坡路社区,30.004,120.004
X1,C1,42,翠苑一区,30.004,120.004
B1,X1,50,3幢,30.0041,120.0041
U1,B1,61,2单元,,
R1,U1,62,301室,,
R2,U1,62,302室,,
BAD1,X1,50,三号楼,30.004,120.004
BAD2,NOPE,62,303室,,
BAD3,X1,50,4幢,31.5,121.5
"""


def upload(text: str, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def test_an_address_list_writes_the_good_rows_and_returns_the_bad_with_reasons(district, users):
    result = registry_import(actor=users.administrator, kind="addresses", upload=upload(ADDRESSES))
    assert (result.created, result.updated) == (8, 0)
    refused = {n: errors for n, _raw, errors in result.refused}
    assert set(refused) == {10, 11, 12}
    assert "name" in refused[10] and "parent" in refused[11] and "lat" in refused[12]
    room = StandardAddress.objects.get(code="R1")
    assert room.full_name == "上城区湖滨街道东坡路社区翠苑一区3幢2单元301室"
    assert room.building.code == "B1" and room.community.code == "C1"
    assert room.station == district.station_a and room.lat == 30.0041

    # The same file again: nothing new; a corrected row changes only itself.
    again = registry_import(actor=users.administrator, kind="addresses", upload=upload(ADDRESSES))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    fixed = ADDRESSES.replace("BAD1,X1,50,三号楼", "BAD1,X1,50,5幢")
    fixed = fixed.replace("R2,U1,62,302室", "R2,U1,62,312室")
    third = registry_import(actor=users.administrator, kind="addresses", upload=upload(fixed))
    assert (third.created, third.updated, third.unchanged) == (1, 1, 7)
    assert StandardAddress.objects.get(code="R2").full_name.endswith("312室")


def test_only_an_administrator_imports(district, users):
    result = registry_import(actor=users.chief_a, kind="addresses", upload=upload(ADDRESSES))
    assert result.forbidden and not StandardAddress.objects.exists()


def test_a_resident_list_is_checked_and_a_reimport_is_idempotent(tree, users):
    good = valid_id("33010219500101002")
    rows = (
        "居住地址编码,公民身份号码,姓名,联系电话,人口类别,人户关系,登记日期\n"
        f"{tree.room.code},{good},王秀英,13800001234,户籍,人户一致,2010-05-01\n"
        f"{tree.room.code},330102195001010021,李四,,户籍,人户一致,2010-05-01\n"
        f"{tree.compound.code},{valid_id('33010219800101003')},赵五,,流动,人在户不在,\n"
        f"{tree.room.code},{valid_id('33010219800101003')},,1380000,外星,人户一致,2010-13-01\n"
    )
    result = registry_import(actor=users.administrator, kind="residents", upload=upload(rows))
    assert result.created == 1
    refused = {n: errors for n, _raw, errors in result.refused}
    assert "id_number" in refused[3] and "address" in refused[4]
    assert {"name", "phone", "household", "moved_in"} <= set(refused[5])
    person = Resident.objects.get()
    assert person.id_number == good and person.gender == "2" and person.birth_date.year == 1950
    assert person.phone_masked == "138****1234"
    again = registry_import(actor=users.administrator, kind="residents", upload=upload(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    moved = rows.replace("13800001234", "13900001234")
    third = registry_import(actor=users.administrator, kind="residents", upload=upload(moved))
    assert (third.created, third.updated) == (0, 1)
    assert Resident.objects.get().phone == "13900001234"


def test_the_community_export_is_masked(tree):
    resident_make(tree.room, "33010219500101002", "王秀英")
    book = load_workbook(io.BytesIO(community_xlsx(tree.community)))
    addresses, residents = book.worksheets
    assert addresses.max_row - 1 == StandardAddress.objects.filter(community=tree.community).count()
    row = [c.value for c in residents[2]]
    assert "王**" in row and "王秀英" not in row and any("*" in str(v) for v in row)


def test_the_plate_sheet_holds_the_building_and_its_rooms(tree, users, client):
    client.force_login(users.post_officer)
    pdf = client.get(f"/registry/addresses/{tree.building.pk}/plates.pdf",
                     headers={"accept-language": "zh-hans"})  # fmt: skip
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip
    assert "数字门牌" in text and "301室" in text
    assert client.get(f"/registry/addresses/{tree.room.pk}/plates.pdf").status_code == 404
    client.force_login(users.chief_b)
    assert client.get(f"/registry/addresses/{tree.building.pk}/plates.pdf").status_code == 404


def test_the_registry_pages_search_and_show_an_address(tree, users, client):
    resident_make(tree.room, "33010219500101002", "王秀英")
    client.force_login(users.chief_a)
    found = client.get("/registry/", {"q": "翠苑 3-2-301"}).content.decode()
    assert "翠苑一区3幢2单元301室" in found
    page = client.get(f"/registry/addresses/{tree.room.pk}/").content.decode()
    assert "王**" in page and "王秀英" not in page and "/p/" in page
    client.force_login(users.street_staff)
    assert client.get("/registry/").status_code == 403


@pytest.mark.parametrize("kind", ["addresses", "residents"])
def test_the_import_page_answers_each_row(tree, users, client, kind):
    client.force_login(users.administrator)
    answer = client.post("/registry/import/", {"kind": kind, "file": upload("code\n1\n")})
    assert (
        answer.status_code == 200
        and "refused" in answer.content.decode().lower()
        or ("拒绝" in answer.content.decode())
    )


def test_a_resident_without_a_phone_is_unchanged_on_reimport(tree, users):
    rows = (
        "居住地址编码,公民身份号码,姓名,人口类别,人户关系\n"
        f"{tree.room.code},{valid_id('33010220150101002')},王小宝,户籍,人户一致\n"
    )
    first = registry_import(actor=users.administrator, kind="residents", upload=upload(rows))
    again = registry_import(actor=users.administrator, kind="residents", upload=upload(rows))
    assert first.created == 1 and (again.updated, again.unchanged) == (0, 1)


def test_houses_and_organisations_are_imported_checked_and_kept_once(tree, users):
    from community.personal import credit_check_char
    from community.registry_models import House, Organisation

    houses = (
        "房屋地址编码,房屋用途,建筑面积,房主姓名,房主电话,是否出租,租户核查日期\n"
        f"{tree.room.code},出租,86,王某,13800001234,是,2026-11-20\n"
        f"{tree.compound.code},自住,,,,,\n"
        f"{tree.building.code},仓库?,x,,12,,2026-13-01\n"
    )
    result = registry_import(actor=users.administrator, kind="houses", upload=upload(houses))
    assert result.created == 1
    refused = {n: errors for n, _raw, errors in result.refused}
    assert "address" in refused[3] and {
        "use",
        "area_m2",
        "owner_phone",
        "tenants_checked_on",
    } <= set(refused[4])
    house = House.objects.get()
    assert (
        house.rented
        and house.owner_phone == "13800001234"
        and house.owner_phone_masked == "138****1234"
    )
    assert house.station == tree.room.station
    again = registry_import(actor=users.administrator, kind="houses", upload=upload(houses))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    code = "91330102MA2" + "XK7Q8L"
    code += credit_check_char(code)
    orgs = (
        "统一社会信用代码,单位名称,单位地址编码,行业,负责人,联系电话,从业人数\n"
        f"{code},翠苑便利店,{tree.building.code},批发,张经理,13912345678,6\n"
        f"{code[:-1]}{'1' if code[-1] != '1' else '2'},错码商店,{tree.building.code},批发,,,\n"
    )
    result = registry_import(actor=users.administrator, kind="organisations", upload=upload(orgs))
    assert result.created == 1 and "credit_code" in result.refused[0][2]
    org = Organisation.objects.get()
    assert org.industry == "F" and org.staff == 6 and org.contact_phone_masked == "139****5678"
    moved = orgs.replace(",6\n", ",9\n")
    third = registry_import(actor=users.administrator, kind="organisations", upload=upload(moved))
    assert (third.created, third.updated) == (0, 1) and Organisation.objects.get().staff == 9
