//! The `DR…` rules: links of an IRSA / Pod Identity set-up that no `TP`/`RF` rule covers.
//! A link is broken only relative to the other artifacts, so each rule's pass/fail examples
//! live in `doctor::tests` and in the fixture sets under `tests/fixtures/doctor/`.

mod dr001;
mod dr002;
mod dr003;
mod dr004;
mod dr005;
mod dr006;
mod dr007;
mod dr008;
mod dr009;
mod dr010;
mod dr011;
mod dr012;
mod dr013;
mod dr014;
mod dr015;
mod dr020;
mod dr021;
mod dr022;
mod dr023;
mod dr024;
mod dr025;
mod dr026;
mod dr030;

pub(crate) use dr001::DR001;
pub(crate) use dr002::DR002;
pub(crate) use dr003::DR003;
pub(crate) use dr004::DR004;
pub(crate) use dr005::DR005;
pub(crate) use dr006::DR006;
pub(crate) use dr007::DR007;
pub(crate) use dr008::DR008;
pub(crate) use dr009::DR009;
pub(crate) use dr010::DR010;
pub(crate) use dr011::DR011;
pub(crate) use dr012::DR012;
pub(crate) use dr013::DR013;
pub(crate) use dr014::DR014;
pub(crate) use dr015::DR015;
pub(crate) use dr020::DR020;
pub(crate) use dr021::DR021;
pub(crate) use dr022::DR022;
pub(crate) use dr023::DR023;
pub(crate) use dr024::DR024;
pub(crate) use dr025::DR025;
pub(crate) use dr026::DR026;
pub(crate) use dr030::DR030;

/// Every `DR…` rule.
pub(crate) static RULES: &[&crate::rule::RuleMeta] = &[
    &DR001, &DR002, &DR003, &DR004, &DR005, &DR006, &DR007, &DR008, &DR009, &DR010, &DR011, &DR012,
    &DR013, &DR014, &DR015, &DR020, &DR021, &DR022, &DR023, &DR024, &DR025, &DR026, &DR030,
];
