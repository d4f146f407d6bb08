//! Sprig's cryptographic functions: `bcrypt`, `htpasswd`, `derivePassword`, `encryptAES`,
//! `decryptAES`, `genPrivateKey` and the certificate builders (`genCA`, `genSelfSignedCert`,
//! `genSignedCert`, their `WithKey` variants, `buildCustomCert`). Keys are RustCrypto types
//! encoded as Go encodes them (PKCS#1 for RSA, SEC1 for ECDSA P-256, PKCS#8 for Ed25519);
//! certificates are built with `rcgen` from the same template Sprig gives Go's x509.

use std::net::IpAddr;
use std::rc::Rc;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use rand_core::OsRng;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};

use super::super::funcs::{Arity, CallContext, FuncMap};
use super::super::gofmt::format_v;
use super::super::value::{FuncError, Object, Value};
use super::encoding::{b64dec, b64enc};
use super::hashes::random_bytes;

fn call_err(msg: impl Into<String>) -> FuncError {
    FuncError::Call(msg.into())
}

/// Go's `bcrypt.GenerateFromPassword(p, DefaultCost)` as Sprig reports it.
fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(h) => h.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// Sprig's `htpasswd`: an Apache `user:bcrypt-hash` line.
fn htpasswd(user: &str, password: &str) -> String {
    if user.contains(':') {
        return format!("invalid username: {user}");
    }
    format!("{user}:{}", bcrypt_hash(password))
}

const PASSWORD_SEED: &str = "com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword`: the Master Password algorithm (scrypt + HMAC-SHA256).
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|p| {
            scrypt::scrypt(password.as_bytes(), &salt, &p, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut msg = PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password: bad key".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(c);
            chars[usize::from(seed[i + 1]) % chars.len()] as char
        })
        .collect()
}

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

/// Sprig's `encryptAES`: AES-256-CBC with PKCS#7 padding, random IV, base64 of IV‖ciphertext.
fn encrypt_aes(password: &str, plain: &str) -> Result<String, FuncError> {
    use cbc::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
    if plain.is_empty() {
        return Ok(String::new());
    }
    let iv = random_bytes(16)?;
    let enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&aes_key(password), &iv)
        .map_err(|e| call_err(e.to_string()))?;
    let len = plain.len();
    let mut buf = plain.as_bytes().to_vec();
    buf.resize(len + 16 - len % 16, 0);
    let ct = enc
        .encrypt_padded_mut::<Pkcs7>(&mut buf, len)
        .map_err(|e| call_err(e.to_string()))?;
    let mut out = iv;
    out.extend_from_slice(ct);
    Ok(b64enc(&out))
}

/// Sprig's `decryptAES`, with the panics Go raises on malformed input as errors.
fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, FuncError> {
    use cbc::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let data = b64dec(crypt64).map_err(call_err)?;
    if data.len() < 16 {
        return Err(call_err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            data.len()
        )));
    }
    let (iv, crypt) = data.split_at(16);
    if crypt.len() % 16 != 0 {
        return Err(call_err("crypto/cipher: input not full blocks"));
    }
    let dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(&aes_key(password), iv)
        .map_err(|e| call_err(e.to_string()))?;
    let mut buf = crypt.to_vec();
    let plain = dec
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|e| call_err(e.to_string()))?;
    let Some(&pad) = plain.last() else {
        return Err(call_err("runtime error: index out of range [-1]"));
    };
    let keep = plain.len() as i64 - i64::from(pad);
    if keep < 0 {
        return Err(call_err(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        )));
    }
    Ok(String::from_utf8_lossy(&plain[..keep as usize]).into_owned())
}

/// A private key of one of the kinds Sprig generates.
enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(p256::SecretKey),
    Ed(ed25519_dalek::SigningKey),
}

impl PrivateKey {
    fn generate_rsa(bits: usize) -> Result<PrivateKey, String> {
        super::rsa_keygen::generate(bits)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| e.to_string())
    }

    /// Go's `pemBlockForKey` encoded: PKCS#1, SEC1 or PKCS#8.
    fn pem(&self) -> Result<String, String> {
        let text = match self {
            PrivateKey::Rsa(k) => k.to_pkcs1_pem(LineEnding::LF).map_err(|e| e.to_string())?,
            PrivateKey::Ec(k) => k.to_sec1_pem(LineEnding::LF).map_err(|e| e.to_string())?,
            PrivateKey::Ed(k) => k.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string())?,
        };
        Ok(text.to_string())
    }

    fn pkcs8_der(&self) -> Result<Vec<u8>, String> {
        let doc = match self {
            PrivateKey::Rsa(k) => k.to_pkcs8_der(),
            PrivateKey::Ec(k) => k.to_pkcs8_der(),
            PrivateKey::Ed(k) => k.to_pkcs8_der(),
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    fn key_pair(&self) -> Result<KeyPair, String> {
        let der = self.pkcs8_der()?;
        KeyPair::try_from(der.as_slice()).map_err(|e| e.to_string())
    }

    /// Sprig's `parsePrivateKeyPEM`.
    fn parse_pem(text: &str) -> Result<PrivateKey, String> {
        let (kind, der) = pem_decode(text).ok_or("no PEM data in input")?;
        if kind == "PRIVATE KEY" {
            return parse_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
        }
        let Some(algo) = kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {kind}"));
        };
        match algo {
            "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
            "EC" => p256::SecretKey::from_sec1_der(&der)
                .map(PrivateKey::Ec)
                .map_err(|e| format!("parsing EC private key from PEM: {e}")),
            _ => Err(format!("invalid private key type {kind}")),
        }
    }
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        return Ok(PrivateKey::Rsa(Box::new(k)));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        return Ok(PrivateKey::Ec(k));
    }
    ed25519_dalek::SigningKey::from_pkcs8_der(der)
        .map(PrivateKey::Ed)
        .map_err(|_| "x509: failed to parse private key".to_string())
}

/// Go's `pem.Decode` (first block, headers not supported): its type and decoded bytes.
fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let type_end = rest.find("-----")?;
    let kind = &rest[..type_end];
    let body_and_end = &rest[type_end + 5..];
    let end_marker = format!("-----END {kind}-----");
    let end = body_and_end.find(&end_marker)?;
    let body: String = body_and_end[..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Some((kind.to_string(), b64dec(&body).ok()?))
}

/// Sprig's `genPrivateKey`; failures are returned as text, as Sprig does.
fn generate_private_key(kind: &str) -> String {
    let key = match kind {
        "" | "rsa" => PrivateKey::generate_rsa(4096),
        "ecdsa" => Ok(PrivateKey::Ec(p256::SecretKey::random(&mut OsRng))),
        "ed25519" => Ok(PrivateKey::Ed(ed25519_dalek::SigningKey::generate(
            &mut OsRng,
        ))),
        "dsa" => Err("DSA keys are not supported".to_string()),
        other => return format!("Unknown type {other}"),
    };
    match key.and_then(|k| k.pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    }
}

/// Sprig's `certificate` struct: PEM certificate and key.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// PEM-encoded certificate.
    pub cert: String,
    /// PEM-encoded private key.
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> String {
        "sprig.certificate".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::String(self.cert.clone())),
            "Key" => Some(Value::String(self.key.clone())),
            _ => None,
        }
    }
    fn format_v(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn cert_value(c: Certificate) -> Value {
    Value::Object(Rc::new(c))
}

/// A `[]interface{}` parameter: a list or nil.
fn list_arg(ctx: &CallContext<'_>, a: &[Value], i: usize) -> Result<Vec<Value>, FuncError> {
    match &a[i] {
        Value::List(l, _) => Ok(l.to_vec()),
        Value::Nil => Ok(Vec::new()),
        _ => Err(ctx.type_error(a, i, "[]interface {}")),
    }
}

fn cert_arg(ctx: &CallContext<'_>, a: &[Value], i: usize) -> Result<Certificate, FuncError> {
    match &a[i] {
        Value::Object(o) => o.as_any().downcast_ref::<Certificate>().cloned(),
        _ => None,
    }
    .ok_or_else(|| ctx.type_error(a, i, "sprig.certificate"))
}

/// Sprig's `getBaseCertTemplate` as rcgen parameters.
fn base_params(
    cn: &str,
    ips: &[Value],
    dns: &[Value],
    days: i64,
) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::default();
    for ip in ips {
        let Value::String(s) = ip else {
            return Err(format!(
                "error parsing ip: {} is not a string",
                format_v(ip)
            ));
        };
        let addr = IpAddr::from_str(s).map_err(|_| format!("error parsing ip: {s}"))?;
        params.subject_alt_names.push(SanType::IpAddress(addr));
    }
    for name in dns {
        let Value::String(s) = name else {
            return Err(format!(
                "error processing alternate dns name: {} is not a string",
                format_v(name)
            ));
        };
        let ia5 = s
            .as_str()
            .try_into()
            .map_err(|e: rcgen::Error| e.to_string())?;
        params.subject_alt_names.push(SanType::DnsName(ia5));
    }
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.serial_number = Some(SerialNumber::from_slice(
        &random_bytes(16).map_err(|e| format!("{e:?}"))?,
    ));
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now;
    params.not_after = now
        .checked_add(time::Duration::days(days))
        .ok_or("error creating certificate: validity out of range")?;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.is_ca = IsCa::ExplicitNoCa;
    Ok(params)
}

/// Sprig's `getCertAndKey`: signs `params` for `key` by `issuer` (self-signed when `None`).
fn cert_and_key(
    params: &CertificateParams,
    key: &PrivateKey,
    issuer: Option<&Certificate>,
) -> Result<Certificate, String> {
    let signee = key.key_pair()?;
    let cert = match issuer {
        None => params.self_signed(&signee),
        Some(ca) => {
            if pem_decode(&ca.cert).is_none() {
                return Err("unable to decode certificate".into());
            }
            let ca_key = PrivateKey::parse_pem(&ca.key)
                .map_err(|e| format!("error parsing private key: {e}"))?;
            let issuer = Issuer::from_ca_cert_pem(&ca.cert, ca_key.key_pair()?)
                .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
            // Go copies the issuer's subject key id into the authority key id.
            let mut params = params.clone();
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&signee, &issuer)
        }
    }
    .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(Certificate {
        cert: cert.pem(),
        key: key
            .pem()
            .map_err(|e| format!("error pem-encoding key: {e}"))?,
    })
}

fn new_rsa_2048() -> Result<PrivateKey, FuncError> {
    PrivateKey::generate_rsa(2048).map_err(|e| call_err(format!("error generating rsa key: {e}")))
}

fn pem_key_arg(ctx: &CallContext<'_>, a: &[Value], i: usize) -> Result<PrivateKey, FuncError> {
    PrivateKey::parse_pem(ctx.string_arg(a, i)?)
        .map_err(|e| call_err(format!("parsing private key: {e}")))
}

fn gen_ca(cn: &str, days: i64, key: PrivateKey) -> Result<Value, FuncError> {
    let mut params = base_params(cn, &[], &[], days).map_err(call_err)?;
    params.key_usages.push(KeyUsagePurpose::KeyCertSign);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    cert_and_key(&params, &key, None)
        .map(cert_value)
        .map_err(call_err)
}

fn gen_cert(
    ctx: &CallContext<'_>,
    a: &[Value],
    key: PrivateKey,
    ca: Option<&Certificate>,
) -> Result<Value, FuncError> {
    let cn = ctx.string_arg(a, 0)?;
    let (ips, dns) = (list_arg(ctx, a, 1)?, list_arg(ctx, a, 2)?);
    let days = ctx.int_arg(a, 3)?;
    let params = base_params(cn, &ips, &dns, days).map_err(call_err)?;
    cert_and_key(&params, &key, ca)
        .map(cert_value)
        .map_err(call_err)
}

/// Sprig's `buildCustomCert`: wraps base64 PEM certificate and key after checking them.
fn build_custom_cert(b64cert: &str, b64key: &str) -> Result<Value, FuncError> {
    let cert = b64dec(b64cert).map_err(|_| call_err("unable to decode base64 certificate"))?;
    let key = b64dec(b64key).map_err(|_| call_err("unable to decode base64 private key"))?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der) = pem_decode(&cert).ok_or_else(|| call_err("unable to decode certificate"))?;
    if der.first() != Some(&0x30) {
        return Err(call_err(
            "error parsing certificate: decodedCert.Bytes: x509: malformed certificate",
        ));
    }
    PrivateKey::parse_pem(&key).map_err(|e| call_err(format!("error parsing private key: {e}")))?;
    Ok(cert_value(Certificate { cert, key }))
}

/// Go's `uint32` parameter from a template integer.
fn uint32_arg(ctx: &CallContext<'_>, a: &[Value], i: usize) -> Result<u32, FuncError> {
    match &a[i] {
        Value::Int(n) | Value::Int64(n) if u32::try_from(*n).is_ok() => Ok(*n as u32),
        _ => Err(ctx.type_error(a, i, "uint32")),
    }
}

/// Registers the crypto functions.
pub(super) fn register(m: &mut FuncMap) {
    super::str1(m, "bcrypt", bcrypt_hash);
    m.register("htpasswd", Arity::Exact(2), |ctx, a| {
        Ok(Value::String(htpasswd(
            ctx.string_arg(a, 0)?,
            ctx.string_arg(a, 1)?,
        )))
    });
    m.register("derivePassword", Arity::Exact(5), |ctx, a| {
        Ok(Value::String(derive_password(
            uint32_arg(ctx, a, 0)?,
            ctx.string_arg(a, 1)?,
            ctx.string_arg(a, 2)?,
            ctx.string_arg(a, 3)?,
            ctx.string_arg(a, 4)?,
        )))
    });
    m.register("encryptAES", Arity::Exact(2), |ctx, a| {
        encrypt_aes(ctx.string_arg(a, 0)?, ctx.string_arg(a, 1)?).map(Value::String)
    });
    m.register("decryptAES", Arity::Exact(2), |ctx, a| {
        decrypt_aes(ctx.string_arg(a, 0)?, ctx.string_arg(a, 1)?).map(Value::String)
    });
    super::str1(m, "genPrivateKey", generate_private_key);
    m.register("buildCustomCert", Arity::Exact(2), |ctx, a| {
        build_custom_cert(ctx.string_arg(a, 0)?, ctx.string_arg(a, 1)?)
    });
    m.register("genCA", Arity::Exact(2), |ctx, a| {
        let (cn, days) = (ctx.string_arg(a, 0)?, ctx.int_arg(a, 1)?);
        gen_ca(cn, days, new_rsa_2048()?)
    });
    m.register("genCAWithKey", Arity::Exact(3), |ctx, a| {
        let (cn, days) = (ctx.string_arg(a, 0)?, ctx.int_arg(a, 1)?);
        gen_ca(cn, days, pem_key_arg(ctx, a, 2)?)
    });
    m.register("genSelfSignedCert", Arity::Exact(4), |ctx, a| {
        gen_cert(ctx, a, new_rsa_2048()?, None)
    });
    m.register("genSelfSignedCertWithKey", Arity::Exact(5), |ctx, a| {
        let key = pem_key_arg(ctx, a, 4)?;
        gen_cert(ctx, a, key, None)
    });
    m.register("genSignedCert", Arity::Exact(5), |ctx, a| {
        let ca = cert_arg(ctx, a, 4)?;
        gen_cert(ctx, a, new_rsa_2048()?, Some(&ca))
    });
    m.register("genSignedCertWithKey", Arity::Exact(6), |ctx, a| {
        let ca = cert_arg(ctx, a, 4)?;
        let key = pem_key_arg(ctx, a, 5)?;
        gen_cert(ctx, a, key, Some(&ca))
    });
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::render;
    use super::*;

    #[test]
    fn derive_password_matches_sprig() {
        assert_eq!(
            render(r#"{{ derivePassword 1 "long" "password" "user" "example.com" }}"#).as_deref(),
            Ok("ZedaFaxcZaso9*")
        );
        assert_eq!(
            derive_password(1, "nope", "p", "u", "s"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trips_and_decrypts_sprig_output() {
        assert_eq!(
            render(
                r#"{{ decryptAES "secretkey" "30tEfhuJSVRhpG97XCuWgz2okj7L8vQ1s6V9zVUPeDQ=" }}"#
            )
            .as_deref(),
            Ok("plaintext")
        );
        assert_eq!(
            render(r#"{{ encryptAES "k" "secret text" | decryptAES "k" }}"#).as_deref(),
            Ok("secret text")
        );
        assert_eq!(render(r#"{{ encryptAES "k" "" }}"#).as_deref(), Ok(""));
        let err = render(r#"{{ decryptAES "k" "YQ==" }}"#).unwrap_err();
        assert!(
            err.ends_with("slice bounds out of range [:16] with capacity 1"),
            "{err}"
        );
    }

    #[test]
    fn bcrypt_and_htpasswd_verify() {
        let h = bcrypt_hash("pass");
        assert!(h.starts_with("$2a$10$") && h.len() == 60, "{h}");
        assert!(bcrypt::verify("pass", &h).unwrap());
        let line = render(r#"{{ htpasswd "user" "pass" }}"#).unwrap();
        let (user, hash) = line.split_once(':').unwrap();
        assert_eq!(user, "user");
        assert!(bcrypt::verify("pass", hash).unwrap());
        assert_eq!(htpasswd("a:b", "p"), "invalid username: a:b");
    }

    #[test]
    fn private_keys_round_trip() {
        let ec = generate_private_key("ecdsa");
        assert!(ec.starts_with("-----BEGIN EC PRIVATE KEY-----\n"), "{ec}");
        assert!(ec.ends_with("-----END EC PRIVATE KEY-----\n"));
        assert!(matches!(PrivateKey::parse_pem(&ec), Ok(PrivateKey::Ec(_))));
        let ed = generate_private_key("ed25519");
        assert!(ed.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{ed}");
        assert!(matches!(PrivateKey::parse_pem(&ed), Ok(PrivateKey::Ed(_))));
        assert_eq!(generate_private_key("x"), "Unknown type x");
    }

    #[test]
    fn certificates_chain() {
        let out = render(
            r#"{{ $ca := genCAWithKey "my-ca" 365 (genPrivateKey "ecdsa") }}{{ $c := genSignedCertWithKey "svc" (list "10.0.0.1") (list "svc.ns.svc") 30 $ca (genPrivateKey "ed25519") }}{{ $ca.Cert }}|{{ $ca.Key }}|{{ $c.Cert }}|{{ $c.Key }}|{{ typeOf $c }}"#,
        )
        .unwrap();
        let parts: Vec<&str> = out.split('|').collect();
        assert_eq!(parts.len(), 5);
        assert!(parts[0].starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(parts[0].ends_with("-----END CERTIFICATE-----\n"));
        assert!(parts[1].starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(parts[2].starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(parts[3].starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(parts[4], "sprig.certificate");
        let built = render(&format!(
            r#"{{{{ (buildCustomCert "{}" "{}").Cert | len }}}}"#,
            b64enc(parts[0].as_bytes()),
            b64enc(parts[1].as_bytes())
        ));
        assert_eq!(built, Ok(parts[0].len().to_string()));
        let err = render(r#"{{ buildCustomCert "!" "" }}"#).unwrap_err();
        assert!(
            err.ends_with("unable to decode base64 certificate"),
            "{err}"
        );
        let err =
            render(r#"{{ genSelfSignedCertWithKey "x" (list 1) nil 1 (genPrivateKey "ecdsa") }}"#)
                .unwrap_err();
        assert!(
            err.ends_with("error parsing ip: 1 is not a string"),
            "{err}"
        );
    }
}
