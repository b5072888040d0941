//! A pool of identical actors per processor kind; sends go to the least-loaded member (by derived mailbox
//! depth) and are counted as `sent` so depth is observable.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use actix::dev::ToEnvelope;
use actix::{Actor, Addr, Handler, MailboxError, Message};

use super::ActorMetrics;

pub struct Pool<A: Actor> {
    members: Vec<(Addr<A>, Arc<ActorMetrics>)>,
}

impl<A: Actor> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Pool { members: self.members.clone() }
    }
}

impl<A: Actor> Pool<A> {
    pub fn new(members: Vec<(Addr<A>, Arc<ActorMetrics>)>) -> Self {
        Pool { members }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn members(&self) -> &[(Addr<A>, Arc<ActorMetrics>)] {
        &self.members
    }

    /// Send to the member with the smallest mailbox depth.
    pub async fn send<M>(&self, msg: M) -> Result<M::Result, MailboxError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        A: Handler<M>,
        A::Context: ToEnvelope<A, M>,
    {
        let Some((addr, m)) = self.members.iter().min_by_key(|(_, m)| m.mailbox_depth()) else {
            return Err(MailboxError::Closed);
        };
        m.sent.fetch_add(1, Relaxed);
        let r = addr.send(msg).await;
        if r.is_err() {
            // The message never reached a handler: keep the depth honest.
            m.received.fetch_add(1, Relaxed);
        }
        r
    }
}
