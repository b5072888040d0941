//! Infrastructure as declared topology: topics (with `-dlq` twins), subscriptions (ack deadline, delivery
//! attempts, dead-letter topic, ordering), a retaining subscription per dead-letter topic, and every table,
//! created idempotently from `config/pipeline.toml` and the processors' schemas.

use std::time::Duration;

use crate::backends::{Backends, PortError, SubscriptionSpec};
use crate::ledger;
use crate::processors::ProcessorRegistry;
use crate::topology::{SubscriptionDecl, Topology};

/// The subscription that retains a dead-letter topic's messages for `dlq list` / `dlq replay`.
pub fn dlq_subscription(topic: &str) -> String {
    format!("{topic}-dlq-sub")
}

/// The bus spec of a declared subscription.
pub fn subscription_spec(t: &Topology, s: &SubscriptionDecl) -> SubscriptionSpec {
    let has_dlq = t.topics.iter().any(|d| d.name == s.topic && d.dlq);
    SubscriptionSpec {
        name: s.name.clone(),
        topic: s.topic.clone(),
        ack_deadline: Duration::from_secs(s.ack_deadline_s.unwrap_or(t.defaults.ack_deadline_s)),
        max_delivery_attempts: s.max_delivery_attempts.unwrap_or(t.defaults.max_delivery_attempts),
        dead_letter_topic: has_dlq.then(|| format!("{}-dlq", s.topic)),
        ordering: s.ordering,
    }
}

/// What `apply` created or confirmed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct InfraReport {
    pub topics: usize,
    pub subscriptions: usize,
    pub tables: usize,
}

/// Create everything the topology declares (idempotent).
pub async fn apply(b: &Backends, t: &Topology, registry: &ProcessorRegistry) -> Result<InfraReport, PortError> {
    let mut r = InfraReport::default();
    for name in t.all_topic_names() {
        b.bus.ensure_topic(&name).await?;
        r.topics += 1;
    }
    for s in &t.subscriptions {
        b.bus.ensure_subscription(&subscription_spec(t, s)).await?;
        r.subscriptions += 1;
    }
    for topic in t.topics.iter().filter(|d| d.dlq) {
        let dlq = format!("{}-dlq", topic.name);
        let mut spec = SubscriptionSpec::new(dlq_subscription(&topic.name), dlq);
        spec.max_delivery_attempts = u32::MAX;
        b.bus.ensure_subscription(&spec).await?;
        r.subscriptions += 1;
    }
    b.warehouse.ensure_table(&ledger::history::schema()).await?;
    r.tables += 1;
    for p in registry.all() {
        for s in p.schemas() {
            b.warehouse.ensure_table(&s).await?;
            r.tables += 1;
        }
    }
    Ok(r)
}
