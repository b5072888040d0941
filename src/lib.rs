//! hoopflow: the event-driven pipeline that turns scraped NBA data into player-points prop predictions, as a
//! supervised actor system.
//!
//! Layers (DESIGN §1): [`domain`] vocabulary; [`messages`] (the unified envelope and typed actor messages);
//! [`backends`] (ports and adapters); [`topology`] (the declared pipeline); [`processors`] (pure business
//! logic); [`ledger`] and [`tracker`] (the run protocol and completion barriers as plain logic over ports);
//! [`actors`] and [`supervisors`] (the actix runtime); [`runtime`] (wiring); [`cli`].

pub mod actors;
pub mod backends;
pub mod cli;
pub mod domain;
pub mod identity;
pub mod ledger;
pub mod messages;
pub mod processors;
pub mod runtime;
pub mod scrapers;
pub mod sources;
pub mod supervisors;
pub mod topology;
pub mod tracker;
