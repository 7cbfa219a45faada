//! The regorus engine behind the [`crate::Policy`] API.
