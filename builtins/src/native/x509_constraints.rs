//! RFC 5280 name constraints as Go's `x509.Certificate.Verify` applies
//! them (the Go release OPA v1.20.2 is built with): every certificate
//! below a constraining CA in a chain must have SANs that its permitted
//! subtrees allow and its excluded subtrees do not name.
//!
//! Go's rules kept here: constraints apply per name type (a CA with only
//! DNS constraints leaves IP SANs free), but once any CA above constrains
//! names, every URI SAN must have a host name (not empty, not an IP) and
//! every email SAN must be a parsable RFC 2821 mailbox; DNS matching is
//! by whole labels, case-insensitively, a leading `.` meaning "strict
//! subdomains"; an excluded name also excludes wildcards over its parent
//! (`*.example.com` under an excluded `bad.example.com`); an empty DNS
//! constraint matches everything; IP constraints match only addresses of
//! their own length (4 or 16 bytes).

use x509_parser::prelude::*;

/// An IP range of a constraint: (address bytes, mask bytes), 4 or 16 each.
pub(super) type IpRange = (Vec<u8>, Vec<u8>);

/// The name constraints of one CA certificate, as Go holds them.
#[derive(Default)]
pub(super) struct NameConstraints {
    /// Permitted / excluded DNS domains.
    pub dns: (Vec<String>, Vec<String>),
    /// Permitted / excluded IP ranges: (address bytes, mask bytes).
    pub ip: (Vec<IpRange>, Vec<IpRange>),
    /// Permitted / excluded email constraints (mailbox or domain).
    pub email: (Vec<String>, Vec<String>),
    /// Permitted / excluded URI domains.
    pub uri: (Vec<String>, Vec<String>),
}

impl NameConstraints {
    /// The constraints of a parsed extension.
    pub(super) fn from_extension(nc: &x509_parser::extensions::NameConstraints<'_>) -> Self {
        let mut out = NameConstraints::default();
        for (subtrees, permitted) in [
            (&nc.permitted_subtrees, true),
            (&nc.excluded_subtrees, false),
        ] {
            for st in subtrees.iter().flatten() {
                let pick = |pair: &mut (Vec<String>, Vec<String>), v: &str| {
                    if permitted {
                        pair.0.push(v.to_string());
                    } else {
                        pair.1.push(v.to_string());
                    }
                };
                match &st.base {
                    GeneralName::DNSName(d) => pick(&mut out.dns, d),
                    GeneralName::RFC822Name(e) => pick(&mut out.email, e),
                    GeneralName::URI(u) => pick(&mut out.uri, u),
                    GeneralName::IPAddress(b) => {
                        let half = b.len() / 2;
                        if (half == 4 || half == 16)
                            && let (Some(ip), Some(mask)) = (b.get(..half), b.get(half..))
                        {
                            let entry = (ip.to_vec(), mask.to_vec());
                            if permitted {
                                out.ip.0.push(entry);
                            } else {
                                out.ip.1.push(entry);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The certificate's constraints, if it has the extension.
    fn of(c: &X509Certificate<'_>) -> Option<Self> {
        c.extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::NameConstraints(nc) => Some(Self::from_extension(nc)),
                _ => None,
            })
    }
}

/// The SANs of one certificate, by type.
#[derive(Default)]
struct Names<'a> {
    dns: Vec<&'a str>,
    email: Vec<&'a str>,
    uri: Vec<&'a str>,
    ip: Vec<&'a [u8]>,
}

fn names<'a>(c: &'a X509Certificate<'a>) -> Option<Names<'a>> {
    let ext = c.extensions().iter().find(|e| {
        matches!(
            e.parsed_extension(),
            ParsedExtension::SubjectAlternativeName(_)
        )
    })?;
    let mut out = Names::default();
    if let ParsedExtension::SubjectAlternativeName(san) = ext.parsed_extension() {
        for n in &san.general_names {
            match n {
                GeneralName::DNSName(d) => out.dns.push(d),
                GeneralName::RFC822Name(e) => out.email.push(e),
                GeneralName::URI(u) => out.uri.push(u),
                GeneralName::IPAddress(b) => out.ip.push(b),
                _ => {}
            }
        }
    }
    Some(out)
}

/// Whether the chain (leaf first, root last) satisfies every CA's name
/// constraints for the certificates below it.
pub(super) fn chain_ok(chain: &[&X509Certificate<'_>]) -> bool {
    let constraints: Vec<(usize, NameConstraints)> = chain
        .iter()
        .enumerate()
        .filter_map(|(i, c)| NameConstraints::of(c).map(|nc| (i, nc)))
        .collect();
    if constraints.is_empty() {
        return true;
    }
    for (i, c) in chain.iter().enumerate() {
        let Some(n) = names(c) else { continue };
        let above: Vec<&NameConstraints> = constraints
            .iter()
            .filter(|(at, _)| *at > i)
            .map(|(_, nc)| nc)
            .collect();
        if above.is_empty() {
            continue;
        }
        let Some(uri_hosts) = n
            .uri
            .iter()
            .map(|u| uri_host(u))
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        let Some(mailboxes) = n
            .email
            .iter()
            .map(|e| mailbox(e))
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        for nc in above {
            if !names_ok(nc, &n, &uri_hosts, &mailboxes) {
                return false;
            }
        }
    }
    true
}

fn names_ok(nc: &NameConstraints, n: &Names<'_>, uris: &[String], emails: &[Mailbox]) -> bool {
    for ip in &n.ip {
        let hit = |list: &[IpRange]| list.iter().any(|(net, mask)| ip_in(ip, net, mask));
        if (!nc.ip.0.is_empty() && !hit(&nc.ip.0)) || hit(&nc.ip.1) {
            return false;
        }
    }
    for d in &n.dns {
        if !domain_valid(d, false) || !dns_allowed(&nc.dns, d) {
            return false;
        }
    }
    for host in uris {
        if !domain_valid(host, false) || !dns_allowed(&nc.uri, host) {
            return false;
        }
    }
    for m in emails {
        if !domain_valid(&m.domain, false) {
            return false;
        }
        let hit = |list: &[String]| list.iter().any(|c| email_matches(c, m));
        if (!nc.email.0.is_empty() && !hit(&nc.email.0)) || hit(&nc.email.1) {
            return false;
        }
    }
    true
}

/// Permitted (when any) and not excluded, by DNS rules.
fn dns_allowed((permitted, excluded): &(Vec<String>, Vec<String>), name: &str) -> bool {
    if !permitted.is_empty() && !permitted.iter().any(|c| dns_matches(c, name)) {
        return false;
    }
    if excluded.iter().any(|c| dns_matches(c, name)) {
        return false;
    }
    // A wildcard over the parent of an excluded name is excluded too.
    if name.starts_with('*') {
        let lower = name.to_ascii_lowercase();
        let parent = trim_first_label(&lower);
        if !parent.is_empty()
            && excluded
                .iter()
                .any(|c| trim_first_label(&c.to_ascii_lowercase()) == parent)
        {
            return false;
        }
    }
    true
}

fn trim_first_label(s: &str) -> &str {
    s.find('.').and_then(|i| s.get(i..)).unwrap_or("")
}

/// Whether `name` falls under DNS constraint `c`: a case-insensitive
/// suffix on a label boundary (`.example.com` only matches subdomains).
fn dns_matches(c: &str, name: &str) -> bool {
    if c.is_empty() {
        return true;
    }
    let (c, n) = (c.as_bytes(), name.as_bytes());
    if c.len() > n.len() {
        return false;
    }
    let start = n.len() - c.len();
    let Some(tail) = n.get(start..) else {
        return false;
    };
    if !tail.eq_ignore_ascii_case(c) {
        return false;
    }
    c.first() == Some(&b'.') || start == 0 || n.get(start - 1) == Some(&b'.')
}

/// Go's `domainNameValid`: printable ASCII without spaces, no empty label,
/// no trailing dot (the empty name passes).
fn domain_valid(s: &str, constraint: bool) -> bool {
    if s.is_empty() {
        return true;
    }
    if s.ends_with('.') {
        return false;
    }
    let s = if constraint {
        s.strip_prefix('.').unwrap_or(s)
    } else {
        s
    };
    s.bytes().all(|b| (33..=126).contains(&b)) && s.split('.').all(|l| !l.is_empty())
}

fn ip_in(ip: &[u8], net: &[u8], mask: &[u8]) -> bool {
    ip.len() == net.len()
        && ip
            .iter()
            .zip(net)
            .zip(mask)
            .all(|((a, b), m)| a & m == b & m)
}

/// The host of a URI SAN as Go's constraint check needs it: present, not
/// an IP address, port removed, lowercased. `None` rejects the chain.
fn uri_host(uri: &str) -> Option<String> {
    let rest = uri.split_once(':').map(|(_, r)| r)?;
    let authority = rest.strip_prefix("//")?;
    let end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    let authority = authority.get(..end)?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut host = host.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    if host.contains(':') && !host.ends_with(']') {
        let (h, port) = host.rsplit_once(':')?;
        if h.contains(':') || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        host = h.to_string();
    }
    if host.parse::<std::net::IpAddr>().is_ok() || (host.starts_with('[') && host.ends_with(']')) {
        return None;
    }
    Some(host)
}

/// An RFC 2821 mailbox: local part (unquoted) and domain (lowercased).
#[derive(PartialEq, Eq)]
struct Mailbox {
    local: Vec<u8>,
    domain: String,
}

/// Go's `parseRFC2821Mailbox`.
fn mailbox(s: &str) -> Option<Mailbox> {
    let mut rest = s.as_bytes();
    let mut local = Vec::new();
    if rest.first() == Some(&b'"') {
        rest = rest.get(1..)?;
        loop {
            let (&c, tail) = rest.split_first()?;
            rest = tail;
            match c {
                b'"' => break,
                b'\\' => {
                    let (&q, tail) = rest.split_first()?;
                    if !(matches!(q, 1..=9 | 11 | 12 | 14..=127)) {
                        return None;
                    }
                    local.push(q);
                    rest = tail;
                }
                1..=8 | 11 | 12 | 14..=31 | 32 | 33 | 35..=91 | 93..=126 | 127 => local.push(c),
                _ => return None,
            }
        }
    } else {
        while let Some((&c, tail)) = rest.split_first() {
            if c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&c) {
                local.push(c);
                rest = tail;
            } else {
                break;
            }
        }
        if local.is_empty()
            || local.first() == Some(&b'.')
            || local.last() == Some(&b'.')
            || local.windows(2).any(|w| w == b"..")
        {
            return None;
        }
    }
    let (&at, domain) = rest.split_first()?;
    if at != b'@' {
        return None;
    }
    let domain = std::str::from_utf8(domain).ok()?;
    if !domain_valid(domain, false) {
        return None;
    }
    Some(Mailbox {
        local,
        domain: domain.to_ascii_lowercase(),
    })
}

/// An email constraint: a full mailbox matches exactly (domain without
/// case), anything else is a DNS constraint on the mailbox's domain.
fn email_matches(c: &str, m: &Mailbox) -> bool {
    if c.contains('@') {
        return mailbox(c).is_some_and(|cm| cm == *m);
    }
    dns_matches(c, &m.domain)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dns_rules() {
        assert!(dns_matches("example.com", "a.example.com"));
        assert!(dns_matches("example.com", "EXAMPLE.com"));
        assert!(!dns_matches("example.com", "xexample.com"));
        assert!(!dns_matches(".example.com", "example.com"));
        assert!(dns_matches(".example.com", "a.example.com"));
        assert!(dns_matches("", "anything"));
        let excl = (vec![], vec!["bad.example.com".to_string()]);
        assert!(!dns_allowed(&excl, "*.example.com"));
        assert!(dns_allowed(&excl, "good.example.com"));
    }

    #[test]
    fn uri_hosts_and_mailboxes() {
        assert_eq!(
            uri_host("https://u@Host.Example:8443/p").unwrap(),
            "host.example"
        );
        assert!(uri_host("urn:uuid:1").is_none());
        assert!(uri_host("https://10.0.0.1/").is_none());
        assert!(uri_host("https://[::1]/").is_none());
        assert!(mailbox("a..b@example.com").is_none());
        assert_eq!(
            mailbox("\"a b\"@EXAMPLE.com").unwrap().domain,
            "example.com"
        );
        assert!(mailbox("plain").is_none());
    }
}
