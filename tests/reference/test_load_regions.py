"""manage.py load_regions FILE — tested on a small CSV that the test writes."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from guanxi.reference.models import Region

pytestmark = pytest.mark.django_db


def write(tmp_path, text):
    path = tmp_path / "regions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_tree_with_children_before_parents_and_updates(tmp_path):
    path = write(
        tmp_path,
        "code,name,parent_code\n320505,虎丘区,320500\n320000,江苏省,\n320500,苏州市,320000\n",
    )
    call_command("load_regions", str(path))
    r = {x.code: x for x in Region.objects.all()}
    assert r["320505"].parent == r["320500"] and r["320500"].parent == r["320000"]
    assert r["320505"].path == f"/{r['320000'].pk}/{r['320500'].pk}/{r['320505'].pk}/"
    path = write(tmp_path, "code,name,parent_code\n320500,苏州市（新）,320000\n")
    call_command("load_regions", str(path))
    assert Region.objects.get(code="320500").name == "苏州市（新）"
    assert Region.objects.count() == 3


def test_bad_file_loads_nothing(tmp_path):
    path = write(tmp_path, "code,name,parent_code\n320000,江苏省,\n320500,苏州市,999999\n,无码,\n")
    with pytest.raises(CommandError) as exc, translation.override("en"):
        call_command("load_regions", str(path))
    assert "999999" in str(exc.value) and "line 4" in str(exc.value)
    assert not Region.objects.exists()


def test_cycle_is_refused(tmp_path):
    path = write(tmp_path, "code,name,parent_code\n1,A,2\n2,B,1\n")
    with pytest.raises(CommandError):
        call_command("load_regions", str(path))
    assert not Region.objects.exists()
