//! `dlq list` and `dlq replay`: the dead-letter queues of every topic, with their reasons.

use std::path::Path;

use super::home;
use crate::backends::OutboundMessage;
use crate::runtime::infra::dlq_subscription;
use crate::topology::Topology;

pub async fn run(home_dir: &Path, t: &Topology, action: super::DlqAction) -> anyhow::Result<()> {
    let b = home::open(home_dir)?;
    let topics: Vec<String> = t.topics.iter().filter(|d| d.dlq).map(|d| d.name.clone()).collect();
    match action {
        super::DlqAction::List { topic } => {
            let mut total = 0;
            for tp in topics.iter().filter(|tp| topic.as_ref().is_none_or(|x| x == *tp)) {
                let msgs = match b.bus.peek(&dlq_subscription(tp), 10_000).await {
                    Ok(m) => m,
                    Err(crate::backends::PortError::NotFound(_)) => continue,
                    Err(e) => return Err(e.into()),
                };
                if msgs.is_empty() {
                    continue;
                }
                println!("{tp}-dlq: {} message(s)", msgs.len());
                for m in msgs {
                    total += 1;
                    let a = |k: &str| m.attributes.get(k).cloned().unwrap_or_default();
                    let body: String = String::from_utf8_lossy(&m.data).chars().take(60).collect();
                    println!(
                        "  {}  from {}  attempts {}  reason: {}\n      body: {}",
                        a("original_message_id"),
                        a("source_subscription"),
                        a("delivery_attempts"),
                        a("dead_letter_reason"),
                        body.replace('\n', " ")
                    );
                }
            }
            if total == 0 {
                println!("no dead letters");
            }
        }
        super::DlqAction::Replay { topic, id } => {
            let mut replayed = 0;
            for tp in topics.iter().filter(|tp| topic.as_ref().is_none_or(|x| x == *tp)) {
                let sub = dlq_subscription(tp);
                let msgs = match b.bus.pull(&sub, 10_000, std::time::Duration::ZERO).await {
                    Ok(m) => m,
                    Err(crate::backends::PortError::NotFound(_)) => continue,
                    Err(e) => return Err(e.into()),
                };
                let mut keep = Vec::new();
                for m in msgs {
                    let orig = m.attributes.get("original_message_id").cloned().unwrap_or_default();
                    if id.as_ref().is_some_and(|want| *want != orig && *want != m.message_id) {
                        keep.push(m.ack_id.clone());
                        continue;
                    }
                    let target = m.attributes.get("source_topic").cloned().unwrap_or_else(|| tp.clone());
                    let mut out = OutboundMessage::new(m.data.clone()).with_attr("replayed_from", orig);
                    out.ordering_key = m.ordering_key.clone();
                    b.bus.publish(&target, vec![out]).await?;
                    b.bus.ack(&sub, std::slice::from_ref(&m.ack_id)).await?;
                    replayed += 1;
                }
                if !keep.is_empty() {
                    b.bus.nack(&sub, &keep, std::time::Duration::ZERO).await?;
                }
            }
            println!("replayed {replayed} message(s)");
        }
    }
    Ok(())
}
