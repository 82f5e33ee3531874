"""Input formats → Conversation: the shared examples, our own samples, malformed input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from extractor.formats import FORMATS, detect_format, load_file, parse_input
from extractor.types import InputError

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "examples"
DATA = ROOT / "tests" / "data" / "formats"

# caller-supplied values, from ../shared/examples/README.md
SHARED_CASES = {
    "wechat_export.txt": ("wechat", {"rep": {"id": "rep-12", "name": "丁雅琴"}}),
    "wecom_archive.jsonl": ("wecom", {"rep": {"id": "rep-14", "name": "秦露"}, "rep_userids": ["qinlu"]}),
    "call_transcript.txt": ("transcript", {"rep": {"id": "rep-11", "name": "许文博"},
                                           "start_time": "2026-06-02T15:30:00+08:00"}),
}
# the expected files predate Message.kind; the kinds they imply are checked separately
SHARED_KINDS = {
    "wechat_export.txt": {"m3": "image"},
    "wecom_archive.jsonl": {"1179904417336210553_1789452348": "image",
                            "1179904417336210554_1789452402": "revoked",
                            "1179904417336210555_1789452431": "system"},
    "call_transcript.txt": {},
}


def _without_kind(d: dict) -> dict:
    d = json.loads(json.dumps(d))
    for m in d["messages"]:
        m.pop("kind", None)
    return d


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/examples not present")
@pytest.mark.parametrize("name", sorted(SHARED_CASES))
def test_shared_example_converts_exactly(name):
    fmt, caller = SHARED_CASES[name]
    conv, chosen = load_file(SHARED / name, **caller)
    assert chosen == fmt
    expected = json.loads((SHARED / (name.split(".")[0] + ".expected.json")).read_text(encoding="utf-8"))
    got = conv.to_dict()
    assert _without_kind(got) == expected
    kinds = {m.id: m.kind for m in conv.messages if m.kind != "text"}
    assert kinds == SHARED_KINDS[name]
    for m in conv.messages:  # non-text messages never carry text
        if m.kind != "text":
            assert m.text == ""


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/examples not present")
@pytest.mark.parametrize("name", sorted(SHARED_CASES))
def test_shared_example_auto_detection(name):
    raw = (SHARED / name).read_bytes()
    assert detect_format(raw) == SHARED_CASES[name][0]
    _conv, chosen = parse_input(raw, "auto", **SHARED_CASES[name][1])
    assert chosen == SHARED_CASES[name][0]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/examples not present")
def test_recalled_budget_never_survives():
    conv, _ = load_file(SHARED / "wecom_archive.jsonl", **SHARED_CASES["wecom_archive.jsonl"][1])
    assert all("90万" not in m.text for m in conv.messages)
    assert conv.message("1179904417336210554_1789452402").kind == "revoked"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/examples not present")
def test_shared_canonical_lines_parse_as_json():
    for i, line in enumerate((SHARED / "conversations.jsonl").read_text(encoding="utf-8").splitlines()):
        conv, fmt = parse_input(line)
        assert fmt == "json" and conv.messages, i


CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_own_samples(name):
    case = CASES[name]
    conv, chosen = load_file(DATA / case["file"], **case["caller"])
    assert chosen == case["format"]
    assert detect_format((DATA / case["file"]).read_bytes()) == case["format"]
    expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert conv.to_dict() == _without_kind(expected)
    # the message kinds, which the canonical shape does not carry, still match
    assert {m.id: m.kind for m in conv.messages} == {m["id"]: m.get("kind", "text") for m in expected["messages"]}


def test_wecom_extra_types():
    case = CASES["wecom_extra"]
    conv, _ = load_file(DATA / case["file"], **case["caller"])
    by = {m.id: m for m in conv.messages}
    assert by["m-001"].text.startswith("**报价说明**")              # markdown
    assert by["m-002"].text == "收到 这是我们的图纸\n公差要求±0.01"   # mixed, image item skipped
    assert "两百万" in by["m-003"].text                              # chatrecord
    assert (by["m-004"].speaker, by["m-004"].kind) == ("other", "other")  # agree
    assert (by["m-005"].speaker, by["m-005"].text) == ("other", "")       # switch
    assert by["m-006"].speaker == "other"                            # wb… bot
    assert by["m-007"].speaker == "other"                            # a colleague
    assert [m.id for m in conv.messages].count("m-002") == 1         # duplicate pull dropped
    times = [m.time for m in conv.messages]
    assert times == sorted(times)


# --- transcript details ---------------------------------------------------------------------

def test_transcript_variants():
    raw = ("[01:05] Rep：您好\n继续上一句\n\n[1:10] 客户: 好的\n"
           "[00:02:00] 坐席:再见\n[00:02:01] Customer:bye\n")
    conv, fmt = parse_input(raw, rep={"id": "r1", "name": "许文博"}, start_time="2026-06-02 15:30:00")
    assert fmt == "transcript" and conv.channel == "call"
    assert [m.text for m in conv.messages] == ["您好\n继续上一句", "好的", "再见", "bye"]
    assert [m.speaker for m in conv.messages] == ["rep", "customer", "rep", "customer"]
    assert conv.messages[0].time.isoformat() == "2026-06-02T15:31:05+08:00"
    assert [m.id for m in conv.messages] == ["m1", "m2", "m3", "m4"]
    assert conv.messages[0].name == "许文博" and conv.messages[1].name == "客户"


def test_transcript_needs_start_time():
    with pytest.raises(InputError, match="start_time"):
        parse_input("[00:00:01] 销售:喂\n", rep={"id": "r", "name": "x"})


# --- caller options ----------------------------------------------------------------------------

def test_caller_overrides():
    raw = "丁雅琴 2026-05-12 10:01:15\n你好\n\n宣志刚 2026-05-12 10:02:00\n嗯\n"
    conv, _ = parse_input(raw, rep_names=["丁雅琴"], conversation_id="c1", channel="other",
                          reference_time="2026-05-13T00:00:00", customer_id="cust-1")
    d = conv.to_dict()
    assert d["conversation_id"] == "c1" and d["channel"] == "other" and d["customer_id"] == "cust-1"
    assert d["reference_time"] == "2026-05-13T00:00:00+08:00"
    assert d["rep"] == {"name": "丁雅琴"}
    conv2, _ = parse_input(raw, rep={"id": "r", "name": "丁雅琴"})
    assert conv2.conversation_id.startswith("conv-") and conv2.ref.isoformat() == "2026-05-12T10:02:00+08:00"


def test_wechat_rep_guess_and_errors():
    raw = "丁雅琴(远航) 2026-05-12 10:01:15\n你好\n\n宣志刚 2026-05-12 10:02:00\n嗯\n"
    conv, _ = parse_input(raw, rep={"id": "r", "name": "丁雅琴"})
    assert [m.speaker for m in conv.messages] == ["rep", "customer"]
    with pytest.raises(InputError, match="rep's name"):
        parse_input(raw)
    with pytest.raises(InputError, match="rep_names"):
        parse_input(raw, rep_names=["许文博"])


def test_wecom_rep_guess_and_group_error():
    line = '{{"msgid":"{i}","action":"send","from":"{f}","tolist":[],"roomid":"","msgtime":{t},"msgtype":"text","text":{{"content":"x"}}}}'
    one = "\n".join([line.format(i=1, f="qinlu", t=1789452005317), line.format(i=2, f="wmX", t=1789452006317)])
    conv, _ = parse_input(one, rep={"id": "rep-14", "name": "秦露"})
    assert [m.speaker for m in conv.messages] == ["rep", "customer"]
    two = one + "\n" + line.format(i=3, f="zhangli", t=1789452007317)
    with pytest.raises(InputError, match="rep_userids"):
        parse_input(two, rep={"id": "rep-14", "name": "秦露"})
    conv, _ = parse_input(two, rep_userids=["qinlu"])
    assert [m.speaker for m in conv.messages] == ["rep", "customer", "other"]


def test_json_keeps_its_own_id_and_fills_gaps(tmp_path):
    d = {"conversation_id": "own", "messages": [{"id": "m1", "speaker": "rep", "time": "2026-03-10 09:00", "text": "hi"}]}
    p = tmp_path / "stem.json"
    p.write_text(json.dumps(d), encoding="utf-8")
    conv, fmt = load_file(p)
    assert fmt == "json" and conv.conversation_id == "own"
    d.pop("conversation_id")
    p.write_text(json.dumps(d), encoding="utf-8")
    conv, _ = load_file(p, rep={"id": "r", "name": "n"})
    assert conv.conversation_id == "stem" and conv.rep == {"id": "r", "name": "n"}


def test_unknown_option_and_format():
    with pytest.raises(InputError, match="bogus"):
        parse_input("{}", bogus=1)
    with pytest.raises(InputError, match="format"):
        parse_input("x", "xml")
    with pytest.raises(InputError, match="channel"):
        parse_input("x", "wechat", channel="qq")


# --- bad input: every format names the line / field -------------------------------------

REP = {"rep": {"id": "r", "name": "许文博"}, "rep_userids": ["xuwenbo"], "start_time": "2026-06-02T15:30:00"}
WECOM_OK = ('{"msgid":"a","action":"send","from":"xuwenbo","tolist":[],"roomid":"","msgtime":1773104460000,'
            '"msgtype":"text","text":{"content":"hi"}}')
CSV_HEAD = "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
CSV_OK = "1,wxid_a,1,0,1,1773104460,2,hi,2026-03-10 09:01:00,,甄建国,wxid_a\n"


@pytest.mark.parametrize("fmt, raw, where", [
    ("json", '{"conversation_id": "c", "messages": [}', "line 1"),
    ("json", '{\n"conversation_id": "c",\n"messages": [\n{"id": "m1"\n]}', "line 5"),
    ("json", '{"messages": []}', "conversation_id"),
    ("json", '{"conversation_id": "c", "messages": [{"id": "m1", "speaker": "boss", "time": "2026-01-01"}]}',
     "messages[0].speaker"),
    ("json", '{"conversation_id": "c", "messages": [{"id": "m1", "speaker": "rep", "time": "yesterday"}]}',
     "messages[0].time"),
    ("json", '{"conversation_id": "c", "messages": [{"id": "m1", "speaker": "rep", "time": "2026-01-01", "kind": "gif"}]}',
     "messages[0].kind"),
    ("json", '{"conversation_id": "c", "known_customers": 5, "messages": []}', "known_customers"),
    ("json", "[1, 2]", "array"),
    ("wechat", "hello\n许文博 2026-03-10 09:00:00\nhi\n", "line 1"),
    ("wechat", "许文博 2026-03-10 09:00:00\nhi\n\n潘总 2026-13-40 09:00:00\nyo\n", "line 4"),
    ("wechat_csv", CSV_HEAD + CSV_OK + "2,wxid_a,1,0,1\n", "line 3"),
    ("wechat_csv", CSV_HEAD + CSV_OK + '3,wxid_a,1,0,0,1773104470,2,"two\nlines",x,,n,wxid_a\n'
     "4,wxid_a,X,0,0,1773104480,2,hi,x,,n,wxid_a\n", "line 5"),
    ("wechat_csv", CSV_HEAD + "1,wxid_a,1,0,2,1773104460,2,hi,x,,n,wxid_a\n", "IsSender"),
    ("wechat_csv", CSV_HEAD + "1,wxid_a,1,0,1,soon,2,hi,x,,n,wxid_a\n", "CreateTime"),
    ("wechat_csv", CSV_HEAD + CSV_OK + CSV_OK, "localId"),
    ("wechat_csv", "localId,Type,IsSender,Status,NickName,Remark\n1,1,1,2,a,b\n", "StrContent"),
    ("wecom", WECOM_OK + "\n" + WECOM_OK.replace('"a"', '"b"') + "\n{broken\n", "line 3"),
    ("wecom", WECOM_OK + "\n" + '{"msgid":"b","action":"send","from":"wmX","msgtype":"text","text":{"content":"x"}}',
     "msgtime"),
    ("wecom", '{"msgid":"b","action":"send","msgtime":1,"msgtype":"text","text":{"content":"x"}}', "'from'"),
    ("wecom", '{"msgid":"b","action":"send","from":"wmX","msgtime":1,"msgtype":"text","text":{}}', "text.content"),
    ("wecom", '{"msgid":"b","action":"send","from":"wmX","msgtime":"late","msgtype":"text","text":{"content":"x"}}',
     "msgtime"),
    ("wecom", '{"msgid":"b","action":"send","from":"wmX","msgtime":1,"msgtype":"mixed","mixed":{"item":5}}',
     "mixed.item"),
    ("wecom", WECOM_OK + "\n[1,2]\n", "line 2"),
    ("wecom", '{"msgid":"b","action":"fly","from":"wmX","msgtime":1,"msgtype":"text","text":{"content":"x"}}',
     "action"),
    ("wecom", '{"seq":1,"msgid":"b","publickey_ver":1,"encrypt_random_key":"k","encrypt_chat_msg":"z"}', "decrypt"),
    ("transcript", "[00:00:01] 销售:喂\n[00:00:75] 客户:嗯\n", "line 2"),
    ("transcript", "[00:00:01] 销售:喂\n[00:00:05] 老王:嗯\n", "line 2"),
    ("transcript", "通话记录\n[00:00:01] 销售:喂\n", "line 1"),
])
def test_malformed_input_names_the_place(fmt, raw, where):
    with pytest.raises(InputError) as ei:
        parse_input(raw, fmt, **REP)
    assert where in str(ei.value)


@pytest.mark.parametrize("raw", [b"", "", "  \n\n", b"\xef\xbb\xbf", "\ufeff\n"])
def test_empty_input(raw):
    with pytest.raises(InputError, match="empty"):
        parse_input(raw)


@pytest.mark.parametrize("raw", [
    bytes(range(256)),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
    b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(0, 256, 3)),
    b"\xff\xd8\xff\xe0" + bytes(100),
])
def test_binary_junk(raw):
    with pytest.raises(InputError):
        parse_input(raw)
    with pytest.raises(InputError):
        detect_format(raw)


def test_gbk_and_other_encodings():
    text = "许文博 2026-03-10 09:00:00\n潘总好 报价发您了\n\n潘总 2026-03-10 09:01:00\n收到\n"
    for raw in (text.encode("gbk"), text.encode("gb18030"), b"\xef\xbb\xbf" + text.encode(),
                text.encode("utf-16"), "\ufeff" + text):
        conv, fmt = parse_input(raw, rep_names=["许文博"])
        assert fmt == "wechat"
        assert conv.messages[0].text == "潘总好 报价发您了"


def test_undetectable_says_so():
    with pytest.raises(InputError, match="cannot tell the format") as ei:
        parse_input("just some words\nmore words")
    assert "line 1" in str(ei.value)
    with pytest.raises(InputError, match="neither a conversation"):
        detect_format('{"hello": 1}')
    with pytest.raises(InputError, match="jsonl"):
        parse_input('{"conversation_id": "a", "messages": []}\n{"conversation_id": "b", "messages": []}\n')


def test_no_messages():
    with pytest.raises(InputError, match="no messages"):
        parse_input(CSV_HEAD)  # a header and nothing else


def test_load_file_errors(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError, match="nope.txt"):
        load_file(missing)
    with pytest.raises(InputError, match="directory"):
        load_file(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(WECOM_OK + "\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_file(bad, rep_userids=["xuwenbo"])
    assert "bad.jsonl" in str(ei.value) and "line 2" in str(ei.value)


def test_load_file_stem_and_bom(tmp_path):
    p = tmp_path / "chat-42.txt"
    p.write_bytes(b"\xef\xbb\xbf" + "许文博 2026-03-10 09:00:00\n你好\n".encode())
    conv, fmt = load_file(p, rep_names=["许文博"])
    assert (conv.conversation_id, fmt, conv.channel) == ("chat-42", "wechat", "wechat")


# --- never a traceback --------------------------------------------------------------------------

_prefixes = st.sampled_from([
    "", "{", "[00:00:01] 销售:", "许文博 2026-03-10 09:00:00\n", CSV_HEAD, WECOM_OK + "\n",
    '{"conversation_id": "c", "messages": [', '{"msgid": "x", "msgtime": ',
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_prefixes, st.one_of(st.text(max_size=80), st.binary(max_size=80).map(lambda b: b.decode("latin-1"))),
       st.sampled_from(["auto", *FORMATS]))
def test_only_input_errors(prefix, tail, fmt):
    try:
        conv, chosen = parse_input(prefix + tail, fmt, rep={"id": "r", "name": "许文博"}, rep_userids=["xuwenbo"],
                                   start_time="2026-06-02T15:30:00")
    except InputError as e:
        assert str(e)
    else:
        assert chosen in FORMATS and conv.messages is not None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=120))
def test_only_input_errors_bytes(raw):
    try:
        parse_input(raw, rep={"id": "r", "name": "许文博"}, start_time="2026-06-02T15:30:00")
    except InputError:
        pass


def test_wechatmsg_csv_without_caller_rep_uses_own_row_names():
    raw = CSV_HEAD + "1,wxid_a,1,0,1,1773104460,2,您好,x,,小许-远航数控,wxid_me\n" \
                     "2,wxid_a,1,0,0,1773104470,2,你好,x,甄工-恒达,甄建国,wxid_a\n"
    conv, fmt = parse_input(raw.encode("utf-8-sig"))
    assert fmt == "wechat_csv" and conv.channel == "wechat"
    assert [(m.speaker, m.name) for m in conv.messages] == [("rep", "小许-远航数控"), ("customer", "甄工-恒达")]


def test_wechatmsg_txt_system_notices_are_other():
    raw = "2026-03-10 09:10:00 你已添加了潘总，现在可以开始聊天了。\n\n2026-03-10 09:12:33 许文博\n你好\n"
    conv, fmt = parse_input(raw, rep_names=["许文博"])
    assert fmt == "wechat"
    assert [(m.speaker, m.kind) for m in conv.messages] == [("other", "system"), ("rep", "text")]
