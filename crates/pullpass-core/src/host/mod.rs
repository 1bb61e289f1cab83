//! The registry host grammar: one data table of partitions and endpoint forms (hosts.md).
