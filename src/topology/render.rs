//! Text rendering of the topology.
