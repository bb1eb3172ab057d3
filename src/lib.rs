//! ntemu
