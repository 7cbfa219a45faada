//! The admission webhook server (axum + rustls).
