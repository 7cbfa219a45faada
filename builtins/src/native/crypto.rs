//! `crypto.md5/sha1/sha256` and `crypto.hmac.*`: digests of a string's
//! bytes, as lowercase hex.

use super::native;
use crate::{Registry, Value, args};
use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

fn hex(b: &[u8]) -> Value {
    Value::string(data_encoding::HEXLOWER.encode(b))
}

fn hmac_hex<M: Mac + hmac::digest::KeyInit>(msg: &[u8], key: &[u8]) -> Value {
    match <M as hmac::digest::KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(msg);
            hex(&m.finalize().into_bytes())
        }
        // HMAC accepts keys of any length; this arm is unreachable in
        // practice but must not panic.
        Err(_) => Value::string(""),
    }
}

/// Constant-time byte comparison (Go's `hmac.Equal`).
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Register the digest builtins.
pub(crate) fn register(r: &mut Registry) {
    native(r, "crypto.md5", 1, |_, a| {
        let s = args::string("crypto.md5", a, 0)?;
        Ok(Some(hex(&Md5::digest(s.as_bytes()))))
    });
    native(r, "crypto.sha1", 1, |_, a| {
        let s = args::string("crypto.sha1", a, 0)?;
        Ok(Some(hex(&Sha1::digest(s.as_bytes()))))
    });
    native(r, "crypto.sha256", 1, |_, a| {
        let s = args::string("crypto.sha256", a, 0)?;
        Ok(Some(hex(&Sha256::digest(s.as_bytes()))))
    });
    macro_rules! hmac_builtin {
        ($name:literal, $digest:ty) => {
            native(r, $name, 2, |_, a| {
                let msg = args::string($name, a, 0)?;
                let key = args::string($name, a, 1)?;
                Ok(Some(hmac_hex::<Hmac<$digest>>(
                    msg.as_bytes(),
                    key.as_bytes(),
                )))
            });
        };
    }
    hmac_builtin!("crypto.hmac.md5", Md5);
    hmac_builtin!("crypto.hmac.sha1", Sha1);
    hmac_builtin!("crypto.hmac.sha256", Sha256);
    hmac_builtin!("crypto.hmac.sha512", Sha512);
    native(r, "crypto.hmac.equal", 2, |_, a| {
        let x = args::string("crypto.hmac.equal", a, 0)?;
        let y = args::string("crypto.hmac.equal", a, 1)?;
        Ok(Some(Value::Bool(ct_eq(x.as_bytes(), y.as_bytes()))))
    });
}

#[cfg(test)]
mod tests {
    use crate::{EvalContext, Registry, Value};

    fn call(name: &str, args: &[&str]) -> Option<Value> {
        let a: Vec<Value> = args.iter().map(|s| Value::string(*s)).collect();
        Registry::with_defaults()
            .call(&EvalContext::new(), name, &a)
            .ok()
            .flatten()
    }

    #[test]
    fn digests_match_known_vectors() {
        assert_eq!(
            call("crypto.md5", &[""]),
            Some(Value::string("d41d8cd98f00b204e9800998ecf8427e"))
        );
        assert_eq!(
            call("crypto.sha1", &["abc"]),
            Some(Value::string("a9993e364706816aba3e25717850c26c9cd0d89d"))
        );
        assert_eq!(
            call("crypto.sha256", &["abc"]),
            Some(Value::string(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            ))
        );
        // RFC 2202 / 4231 test case 2.
        assert_eq!(
            call("crypto.hmac.md5", &["what do ya want for nothing?", "Jefe"]),
            Some(Value::string("750c783e6ab0b503eaa86e310a5db738"))
        );
        assert_eq!(
            call(
                "crypto.hmac.sha256",
                &["what do ya want for nothing?", "Jefe"]
            ),
            Some(Value::string(
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ))
        );
        assert_eq!(
            call("crypto.hmac.equal", &["abc", "abc"]),
            Some(Value::Bool(true))
        );
        assert_eq!(
            call("crypto.hmac.equal", &["abc", "abd"]),
            Some(Value::Bool(false))
        );
    }
}
