use super::*;

fn fix_parts(c: &Challenge) -> (&'static [Aim], &'static [(&'static str, &'static str)]) {
    match c.task {
        Task::Fix { goal, solution } => (goal, solution),
        Task::Diagnose(_) => panic!("{} is a diagnosis", c.slug),
    }
}

fn fixes() -> impl Iterator<Item = &'static Challenge> {
    ALL.iter().filter(|c| matches!(c.task, Task::Fix { .. }))
}

#[test]
fn there_are_at_least_twelve_in_three_sets_with_unique_slugs() {
    assert!(ALL.len() >= 12);
    assert_eq!(SLUGS.to_vec(), ALL.iter().map(|c| c.slug).collect::<Vec<_>>(), "SLUGS lists ALL's slugs");
    for set in Set::ALL {
        assert!(ALL.iter().filter(|c| c.set == *set).count() >= 4, "{set:?}");
    }
    for (i, c) in ALL.iter().enumerate() {
        assert!(ALL[..i].iter().all(|o| o.slug != c.slug), "{} twice", c.slug);
        assert!(presets::get(c.preset).is_some(), "{}: no preset {}", c.slug, c.preset);
        assert!(c.hints.iter().all(|h| !h.is_empty()), "{}", c.slug);
        for k in c.allowed {
            assert!(fields::all().iter().any(|(key, ..)| key == k), "{}: {k} is not a setting", c.slug);
        }
    }
}

#[test]
fn every_start_fails_its_goal() {
    for c in fixes() {
        let spec = c.spec();
        let g = check(&spec, &spec.start);
        assert!(!g.passed(), "{} passes at the start", c.slug);
        assert!(g.changes.is_empty() && g.locked.is_empty(), "{}", c.slug);
        assert!(!g.reason().is_empty(), "{}", c.slug);
    }
}

#[test]
fn every_stored_solution_passes_within_par() {
    for c in fixes() {
        let (_, solution) = fix_parts(c);
        let solved = c.solved().unwrap_or_else(|| panic!("{}: the solution does not apply", c.slug));
        let g = check(&c.spec(), &solved);
        assert!(g.passed(), "{}: {}", c.slug, g.reason());
        assert_eq!(g.changes.len(), solution.len(), "{}: every stored change changes something", c.slug);
        assert!(g.changes.len() <= c.par, "{}: {} changes, par {}", c.slug, g.changes.len(), c.par);
    }
}

#[test]
fn the_fix_search_finds_a_solution_no_longer_than_the_stored_one() {
    for c in fixes() {
        let spec = c.spec();
        let found = solve(&spec, c.par).unwrap_or_else(|| panic!("{}: no fix within par {}", c.slug, c.par));
        assert!(found.len() <= fix_parts(c).1.len(), "{}: {found:?}", c.slug);
        let mut s = spec.start.clone();
        for (k, v) in &found {
            fields::set(&mut s, k, v).unwrap();
        }
        assert!(check(&spec, &s).passed(), "{}: {found:?}", c.slug);
    }
}

/// Answers a learner might try that look right and are not.
#[test]
fn plausible_wrong_answers_fail() {
    let wrong: &[(&str, &[(&str, &str)])] = &[
        // Trusting only itself locks out the customers at home.
        ("server-close-open-relay", &[("provider.trust", "localhost")]),
        // Turning off the submission port locks out the customers on the road.
        ("server-close-open-relay", &[("provider.trust", "network"), ("provider.submission", "off")]),
        // An open backup takes Alice's mail, and Mallory's.
        ("server-backup-mx", &[("middle.trust", "everyone")]),
        // Refusing the domain on the backup stops the backscatter and the backing up.
        ("server-stop-backscatter", &[("middle.handles_domain", "off")]),
        // Trusting everyone on the backup still takes the made-up recipient.
        ("server-stop-backscatter", &[("middle.trust", "everyone")]),
        // Trusting everyone takes mail for corp-b, and relays spam.
        ("server-misconfigured-mx", &[("recipient.trust", "everyone")]),
        // Port 587 without a password is not enough.
        ("road-port-25-blocked", &[("client.port", "587"), ("client.tls", "on")]),
        // A wrong password is refused.
        ("road-not-in-network", &[("client.auth", "wrong")]),
        // Without the POP login there is nothing to trust her by.
        ("road-pop-aged-out", &[("client.pop_before_smtp", "off")]),
        // The recipient's server on 587 needs an account there.
        ("road-wrong-server", &[("client.port", "587"), ("client.auth", "right")]),
    ];
    for (slug, edits) in wrong {
        let c = get(slug).unwrap();
        let mut s = c.start();
        for (k, v) in *edits {
            fields::set(&mut s, k, &Value::Text(v.to_string())).unwrap();
        }
        let g = check(&c.spec(), &s);
        assert!(!g.passed(), "{slug} {edits:?} passes");
    }
}

#[test]
fn touching_a_locked_setting_fails_with_its_name() {
    let c = get("road-not-in-network").unwrap();
    let mut s = c.solved().unwrap();
    s.network.place = Place::Home;
    let g = check(&c.spec(), &s);
    assert!(!g.passed());
    assert_eq!(g.locked, ["network.place"]);
    assert!(g.reason().contains("network.place"), "{}", g.reason());
}

#[test]
fn diagnoses_are_graded_by_the_run() {
    let right: &[(&str, HostId, Why)] = &[
        ("bounce-misconfigured-mx", HostId::Mx, Why::RelayDenied),
        ("bounce-smarthost", HostId::Middle, Why::RelayDenied),
        ("bounce-unknown-user", HostId::Mx, Why::UserUnknown),
        ("bounce-gave-up", HostId::Middle, Why::Expired),
        ("bounce-article-transcript", HostId::Provider, Why::RelayDenied),
    ];
    for (slug, host, why) in right {
        let c = get(slug).unwrap();
        let Task::Diagnose(e) = c.task else { panic!("{slug}") };
        let text = evidence(e).unwrap_or_else(|| panic!("{slug}: no evidence"));
        assert!(!text.is_empty(), "{slug}");
        let v = diagnose(c.preset, *host, *why).unwrap();
        assert!(v.right(), "{slug}: {v:?}");
        // The provider wrote most of these bounces; naming it is the usual mistake.
        if *host != HostId::Provider {
            assert!(!diagnose(c.preset, HostId::Provider, *why).unwrap().right(), "{slug}");
        }
        assert!(!diagnose(c.preset, *host, Why::Greylisted).unwrap().right(), "{slug}");
        assert!(suspects(c.preset).contains(host) && REASONS.contains(why), "{slug}: the answer is not on offer");
        assert!(suspects(c.preset).len() >= 2, "{slug}: a choice of one");
    }
}

#[test]
fn a_pasted_bounce_is_graded_by_its_reading() {
    let c = get("bounce-misconfigured-mx").unwrap();
    let Task::Diagnose(e) = c.task else { unreachable!() };
    let r = crate::bounce::read(&evidence(e).unwrap()).unwrap();
    let names = pasted_suspects(&r);
    assert!(names.iter().any(|n| n == "mx1.corp-b.example"), "{names:?}");
    assert!(diagnose_pasted(&r, "mx1.corp-b.example", Why::RelayDenied).unwrap().right());
    assert!(!diagnose_pasted(&r, "smtp.isp-a.example", Why::RelayDenied).unwrap().right());
}

#[test]
fn teachers_challenges_round_trip_through_links() {
    let s = presets::get("outlook-express").unwrap().scenario();
    let aims = [aim(Probe::AsSet, Delivered), aim(Probe::MalloryProvider, Refused)];
    let allowed = vec!["client.auth".to_string(), "client.port".to_string()];
    let parts = link_parts(&aims, &allowed);
    assert_eq!(parts, ";c=as-set:delivered,mallory-provider:refused;allow=client.auth,client.port");
    let (goal, keys) = from_link("as-set:delivered,mallory-provider:refused", "client.auth,client.port").unwrap();
    assert_eq!((goal.as_slice(), keys.as_slice()), (&aims[..], &allowed[..]));
    let spec = Spec { start: s.clone(), allowed: keys, goal };
    assert!(!check(&spec, &s).passed());
    assert_eq!(solve(&spec, 2).map(|f| f.len()), Some(1));
    for bad in
        [("", "x"), ("as-set", ""), ("as-set:won", ""), ("nobody:delivered", ""), ("as-set:delivered", "client.colour")]
    {
        assert!(from_link(bad.0, bad.1).is_err(), "{bad:?}");
    }
    let now = outcomes(&s);
    assert_eq!(now.len(), Probe::ALL.len());
    assert_eq!(now[0], aim(Probe::AsSet, Refused));
}
