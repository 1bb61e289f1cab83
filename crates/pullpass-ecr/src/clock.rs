//! The clock the token cache judges freshness with, injectable so expiry and half-life are
//! unit-tested without waiting twelve hours.

use std::fmt;
use std::time::SystemTime;

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
