//! OneID: members keyed by card (XLSX), orders keyed by phone (GBK CSV), events keyed by device id, and an
//! identity file linking devices to phones resolve to the expected people; a conflict is reported, not merged.

use crate::fixture;
use huaxiang::base::ids::IdKind;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::identity::IdentityRule;
use huaxiang::ingest::LoadOptions;

fn load_all(ws: &mut Workspace) {
    let members = std::fs::read(fixture("oneid/members.xlsx")).unwrap();
    ws.load_workbook("members.xlsx", &members, LoadOptions::default()).unwrap();
    for (name, kind) in
        [("oneid/orders_gbk.csv", FileKind::Orders), ("oneid/events.csv", FileKind::Events), ("oneid/identity.csv", FileKind::Identity)]
    {
        let report = ws.load_bytes(name, None, &std::fs::read(fixture(name)).unwrap(), 7).unwrap();
        assert_eq!(report.kind, kind, "{name} is detected as {kind:?}");
    }
}

#[test]
fn identifiers_resolve_to_people_across_files() {
    let mut ws = Workspace::new();
    load_all(&mut ws);
    let s = ws.compute(None).unwrap();
    assert_eq!(ws.files()[0].kind, FileKind::Members);
    let person = |kind, v| ws.find_person(kind, v).unwrap_or_else(|| panic!("{v} is known"));
    let c101 = person(IdKind::Member, "C101");
    assert_eq!(person(IdKind::Phone, "+86 138-0013-8001"), c101);
    assert_eq!(person(IdKind::Device, "dev-A"), c101, "events by device reach the member through the identity file");
    assert_eq!(person(IdKind::Device, "dev-B"), person(IdKind::Member, "C104"));
    assert_eq!(person(IdKind::Phone, "13800138003"), person(IdKind::Member, "C103"), "0086-prefixed phones are normalised");
    assert_ne!(person(IdKind::Member, "C105"), c101, "a shared phone does not merge two member cards");
    assert_eq!((s.identity.identifiers, s.identity.people), (13, 7));
    assert_eq!(s.identity.conflicts, 1);
    let c = &s.identity.conflict_examples[0];
    assert_eq!((c.via_kind, c.via_value.as_str(), c.kept.as_str(), c.refused.as_str()), (IdKind::Phone, "13800138001", "C101", "C105"));
    assert_eq!((c.file.as_str(), c.line), ("members.xlsx", 6));
    // Orders keyed by phone land on the member card.
    let rfm = ws.rfm().unwrap();
    let row = rfm.rows.iter().find(|r| r.member == c101).unwrap();
    assert_eq!((row.frequency, row.monetary), (2, 30_000));
    assert_eq!(ws.person_key(c101), "C101");
    assert_eq!(s.buyers, 3);
    assert_eq!(s.quality.buyers_without_member_row, 1);
    assert_eq!(s.quality.members_without_orders, 3);
    assert_eq!(s.quality.event_only_people, 1);
    assert_eq!(s.quality.events, 4);
    let orders = &s.files[1];
    assert_eq!(orders.encoding, "GBK");
    let reasons: Vec<(&str, u64)> = orders.skipped_by_reason.iter().map(|r| (r.code, r.count)).collect();
    assert_eq!(reasons, vec![("missing_id", 1), ("bad_date", 1)]);
    assert_eq!(orders.columns[1].empty, 1);
}

#[test]
fn a_rule_change_relinks_without_reading_files_again() {
    let mut ws = Workspace::new();
    load_all(&mut ws);
    ws.set_identity_rule(IdentityRule { link: vec![IdKind::Member, IdKind::Device], unique: vec![IdKind::Member] });
    let s = ws.compute(None).unwrap();
    // Phones no longer link: orders keyed by phone are their own people, and so are the phones of the identity file.
    assert_ne!(ws.find_person(IdKind::Phone, "13800138001"), ws.find_person(IdKind::Member, "C101"));
    assert_eq!(s.identity.conflicts, 0);
    ws.set_identity_rule(IdentityRule::default());
    assert_eq!(ws.compute(None).unwrap().identity.people, 7);
}
