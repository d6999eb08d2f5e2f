//! A throwaway certificate authority for the HTTPS tests, made at run time with the
//! `openssl` command line: nothing secret is checked in, and nothing outlives two days.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of a throwaway PKI, all P-256: a CA (`ca.pem`), a certificate for
/// `localhost` and 127.0.0.1 that it signed (`cert.pem`) with its key (`key.pem`).
#[derive(Debug, Clone)]
pub struct Pki {
    dir: PathBuf,
}

impl Pki {
    /// Makes a fresh PKI in `dir` (emptied first). Panics when `openssl` is missing or
    /// fails: the tests that need it never skip.
    pub fn new(dir: &Path) -> Self {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
        let openssl = |args: &[&str]| {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .unwrap_or_else(|error| panic!("openssl cannot run ({error}); install it"));
            assert!(
                output.status.success(),
                "openssl {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        let ca_subject = ["-subj", "/CN=hyper-assets throwaway CA", "-days", "2"];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &["-keyout", "ca.key", "-out", "ca.pem"],
                &ca_subject,
            ]
            .concat(),
        );
        let leaf_subject = ["-subj", "/CN=localhost"];
        openssl(
            &[
                &["req"][..],
                &ec,
                &["-keyout", "key.pem", "-out", "req.csr"],
                &leaf_subject,
            ]
            .concat(),
        );
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "req.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        Self {
            dir: dir.to_owned(),
        }
    }

    /// The CA certificate clients trust (`curl --cacert`).
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The server's certificate (`TLS_CERT`).
    pub fn cert(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }

    /// The server's private key (`TLS_KEY`).
    pub fn key(&self) -> PathBuf {
        self.dir.join("key.pem")
    }
}
