//! The machines of the world, by role: the sender's computer, the servers along the path, DNS, the recipient's
//! computer. Names and addresses are in [`crate::world`]; the trace and everything else refer to hosts by role.

use crate::named_enum;

named_enum! {
    /// Every machine in the world.
    pub enum HostId {
        /// Alice's computer, running her mail program.
        Alice = "alice" / "Alice's computer",
        /// Mallory's machine (a spammer).
        Mallory = "mallory" / "Mallory's machine",
        /// The open-relay tester.
        Tester = "tester" / "Relay tester",
        /// The sender's provider, smtp.isp-a.example.
        Provider = "provider" / "Provider's server",
        /// The middle-man, backup.relay-c.example or smarthost.relay-c.example.
        Middle = "middle" / "Middle-man relay",
        /// The recipient's server, mx1.corp-b.example.
        Mx = "mx" / "Recipient's server",
        /// A third party's server, mx.elsewhere.example.
        Elsewhere = "elsewhere" / "Another domain's server",
        /// The hotel's relay, relay.hotel.example.
        Hotel = "hotel" / "Hotel's relay",
        /// The lone host of nomx.example (no MX records, only an address).
        NoMx = "nomx" / "nomx.example host",
        /// The DNS resolver.
        Dns = "dns" / "DNS",
        /// The recipient's computer, fetching mail.
        Reader = "reader" / "Recipient's computer",
    }
}
