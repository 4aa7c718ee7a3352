//! Attacks (being written).
