//! Dataset loaders (being written).
