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
        let openssl = |args: &[&str]| openssl(dir, args);
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
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        let pki = Self {
            dir: dir.to_owned(),
        };
        pki.issue("cert.pem", "key.pem", "localhost");
        pki
    }

    /// The PKI that [`Pki::new`] made in `dir` earlier.
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
        }
    }

    /// Signs one more certificate for `localhost` and 127.0.0.1 with the CA, with the
    /// common name `cn`, into the files `cert` and `key` of the PKI's folder.
    pub fn issue(&self, cert: &str, key: &str, cn: &str) {
        let csr = format!("{cert}.csr");
        let subject = format!("/CN={cn}");
        openssl(
            &self.dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                key,
                "-out",
                &csr,
                "-subj",
                &subject,
            ],
        );
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                cert,
                "-days",
                "2",
                "-extfile",
                "ext.cnf",
            ],
        );
    }

    /// A P-256 private key that belongs to no certificate, in the file `name`.
    pub fn unrelated_key(&self, name: &str) -> PathBuf {
        openssl(
            &self.dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                name,
            ],
        );
        self.dir.join(name)
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

/// Runs `openssl` in `dir`. Panics when it is missing or fails: the tests that need it
/// never skip.
fn openssl(dir: &Path, args: &[&str]) {
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
}
