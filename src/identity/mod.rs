//! OneID: joining the identifiers found in every file into people.
//!
//! Each distinct identifier (a kind and a normalised value, e.g. phone `13800138000`) is a node. Rows link the
//! identifiers they carry: a member row links its card to its phone, an identity-table row links a device id to a
//! phone. A union-find over the nodes gives the people. The [`IdentityRule`] says which kinds may link rows at all
//! and which kinds are *unique* per person (by default the member card: two different cards are two people, even
//! when they share a phone). A link that would put two unique identifiers in one person is refused and reported
//! as a [`Conflict`]; the identifier stays with the person it joined first. Everything is processed in file and
//! row order, so the same files in the same order give the same people.

use crate::base::ids::IdKind;

use crate::base::dict::Dict;
use serde::{Deserialize, Serialize};

/// Which identifiers may link rows, and which may appear only once per person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityRule {
    /// Kinds that link the rows carrying them (default: all).
    pub link: Vec<IdKind>,
    /// Kinds of which a person has at most one value (default: the member card).
    pub unique: Vec<IdKind>,
}

impl Default for IdentityRule {
    fn default() -> IdentityRule {
        IdentityRule { link: IdKind::ALL.to_vec(), unique: vec![IdKind::Member] }
    }
}

/// A refused link: an identifier seen with two unique identifiers of different people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// The kind of the identifier that would have joined them.
    pub via_kind: IdKind,
    /// Its value.
    pub via_value: String,
    /// The unique kind that clashed.
    pub kind: IdKind,
    /// The value kept (the person the identifier joined first).
    pub kept: String,
    /// The value refused.
    pub refused: String,
    /// The file and line where the refused link was seen.
    pub file: String,
    /// The line.
    pub line: u64,
}

/// A node: one identifier.
pub type Node = u32;

/// No node.
const NO_NODE: Node = Node::MAX;

/// No dictionary code.
const NONE_CODE: u32 = u32::MAX;

/// The unique-kind slots for every node under `rule`: each node holds itself in its own kind's slot.
fn unique_slots(rule: &IdentityRule, node_kind: &[IdKind]) -> Vec<(IdKind, Vec<Node>)> {
    rule.unique
        .iter()
        .map(|&k| (k, node_kind.iter().enumerate().map(|(n, &kind)| if kind == k { n as Node } else { NO_NODE }).collect()))
        .collect()
}

/// The identifier graph and its union-find.
#[derive(Clone, Debug, Default)]
pub struct IdentityGraph {
    values: Vec<Dict>,
    /// Node of `(kind, value code)`: `offsets` by kind are not stable as kinds grow, so nodes map back explicitly.
    node_kind: Vec<IdKind>,
    node_code: Vec<u32>,
    /// `node_of[kind][code]`.
    node_of: Vec<Vec<Node>>,
    parent: Vec<Node>,
    /// For each kind the rule makes unique, the node of that kind held by each root ([`NO_NODE`] when none): one
    /// 4-byte slot per node and unique kind.
    unique_of_root: Vec<(IdKind, Vec<Node>)>,
    conflicts: Vec<Conflict>,
    conflict_count: u64,
    rule: IdentityRule,
    /// Every link ever seen (`a`, `b`, file index, line), kept so a new rule can be applied without the files.
    edges: Vec<(Node, Node, u32, u32)>,
    files: Vec<String>,
}

/// How many conflicts are kept as examples.
pub const MAX_CONFLICTS: usize = 200;

impl IdentityGraph {
    /// An empty graph with a rule.
    pub fn new(rule: IdentityRule) -> IdentityGraph {
        IdentityGraph {
            values: vec![Dict::new(); IdKind::ALL.len()],
            node_of: vec![Vec::new(); IdKind::ALL.len()],
            unique_of_root: unique_slots(&rule, &[]),
            rule,
            ..Default::default()
        }
    }

    /// The rule in force.
    pub fn rule(&self) -> &IdentityRule {
        &self.rule
    }

    /// The number of identifiers.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether there are no identifiers.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The node of a normalised identifier, adding it when new.
    pub fn node(&mut self, kind: IdKind, value: &str) -> Node {
        if self.values.is_empty() {
            *self = IdentityGraph::new(self.rule.clone());
        }
        let k = kind as usize;
        let code = self.values[k].intern(value);
        if code as usize == self.node_of[k].len() {
            let n = self.parent.len() as Node;
            self.node_of[k].push(n);
            self.parent.push(n);
            self.node_kind.push(kind);
            self.node_code.push(code);
            for (k, slots) in &mut self.unique_of_root {
                slots.push(if *k == kind { n } else { NO_NODE });
            }
        }
        self.node_of[k][code as usize]
    }

    /// The nodes of every value of a dictionary of normalised identifiers, in code order, adding those that are new.
    /// When the graph has no identifier of this kind yet, the dictionary is taken over as it is (no value is
    /// hashed again); the nodes are the same as adding the values one by one.
    pub fn nodes_of(&mut self, kind: IdKind, values: Dict) -> Vec<Node> {
        if self.values.is_empty() {
            *self = IdentityGraph::new(self.rule.clone());
        }
        let k = kind as usize;
        if !self.values[k].is_empty() {
            // Files often list a member's rows together, and members in the order of an earlier file: the code
            // after the last one found is tried first, by one comparison instead of a hash lookup.
            let mut nodes = Vec::with_capacity(values.len());
            let mut next = NONE_CODE;
            for v in values.values() {
                let known = &self.values[k];
                let node =
                    if next < known.len() as u32 && known.get(next) == v { self.node_of[k][next as usize] } else { self.node(kind, v) };
                next = self.node_code[node as usize].wrapping_add(1);
                nodes.push(node);
            }
            return nodes;
        }
        let first = self.parent.len() as Node;
        let count = values.len() as Node;
        self.values[k] = values;
        self.values[k].shrink_to_fit();
        let nodes: Vec<Node> = (first..first + count).collect();
        self.node_of[k].extend_from_slice(&nodes);
        self.parent.extend_from_slice(&nodes);
        self.node_kind.resize(self.parent.len(), kind);
        self.node_code.extend(0..count);
        for (slot_kind, slots) in &mut self.unique_of_root {
            if *slot_kind == kind {
                slots.extend_from_slice(&nodes);
            } else {
                slots.resize(self.parent.len(), NO_NODE);
            }
        }
        nodes
    }

    /// The node of an identifier if it is known.
    pub fn find_node(&self, kind: IdKind, value: &str) -> Option<Node> {
        let code = self.values.get(kind as usize)?.code(value)?;
        Some(self.node_of[kind as usize][code as usize])
    }

    /// The kind of a node.
    pub fn kind(&self, node: Node) -> IdKind {
        self.node_kind[node as usize]
    }

    /// The value of a node.
    pub fn value(&self, node: Node) -> &str {
        self.values[self.node_kind[node as usize] as usize].get(self.node_code[node as usize])
    }

    /// The root of a node's person.
    pub fn root(&mut self, mut n: Node) -> Node {
        while self.parent[n as usize] != n {
            let p = self.parent[n as usize];
            self.parent[n as usize] = self.parent[p as usize];
            n = p;
        }
        n
    }

    /// The root without path compression (for shared access).
    pub fn root_of(&self, mut n: Node) -> Node {
        while self.parent[n as usize] != n {
            n = self.parent[n as usize];
        }
        n
    }

    /// Links the identifiers of one row (the first is the row's main key), under the rule in force.
    pub fn link_row(&mut self, nodes: &[Node], file: &str, line: u64) {
        if nodes.len() < 2 {
            return;
        }
        let file_index = match self.files.iter().rposition(|f| f == file) {
            Some(i) => i,
            None => {
                self.files.push(file.to_string());
                self.files.len() - 1
            }
        } as u32;
        let line = line.min(u64::from(u32::MAX)) as u32;
        for &other in &nodes[1..] {
            self.edges.push((nodes[0], other, file_index, line));
        }
        // Links go from the first identifier the rule lets link to every other linking identifier.
        let mut first = None;
        for &n in nodes {
            if !self.rule.link.contains(&self.kind(n)) {
                continue;
            }
            match first {
                None => first = Some(n),
                Some(f) => self.union(f, n, file_index, line),
            }
        }
    }

    /// Applies a new rule to every link seen so far (no file is read again).
    pub fn set_rule(&mut self, rule: IdentityRule) {
        self.rule = rule;
        for (i, p) in self.parent.iter_mut().enumerate() {
            *p = i as Node;
        }
        self.unique_of_root = unique_slots(&self.rule, &self.node_kind);
        self.conflicts.clear();
        self.conflict_count = 0;
        let edges = std::mem::take(&mut self.edges);
        let mut i = 0;
        while i < edges.len() {
            // Edges of one row share their first node, file and line; replay them as that row.
            let (first, _, file, line) = edges[i];
            let mut row = vec![first];
            while i < edges.len() && edges[i].0 == first && edges[i].2 == file && edges[i].3 == line {
                row.push(edges[i].1);
                i += 1;
            }
            let linking: Vec<Node> = row.iter().copied().filter(|&n| self.rule.link.contains(&self.kind(n))).collect();
            if let Some((&a, rest)) = linking.split_first() {
                for &b in rest {
                    self.union(a, b, file, line);
                }
            }
        }
        self.edges = edges;
    }

    fn union(&mut self, a: Node, b: Node, file: u32, line: u32) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra == rb {
            return;
        }
        // Refuse when both people already hold different values of a unique kind.
        let clash = self.unique_of_root.iter().find_map(|(kind, slots)| {
            let (na, nb) = (slots[ra as usize], slots[rb as usize]);
            (na != NO_NODE && nb != NO_NODE && na != nb).then_some((*kind, na, nb))
        });
        if let Some((kind, na, nb)) = clash {
            self.conflict_count += 1;
            if self.conflicts.len() < MAX_CONFLICTS {
                // The identifier that would have joined them stays with the person it joined first.
                let via = if self.rule.unique.contains(&self.kind(b)) { a } else { b };
                let (kept, refused) = if self.root_of(via) == ra { (na, nb) } else { (nb, na) };
                self.conflicts.push(Conflict {
                    via_kind: self.kind(via),
                    via_value: self.value(via).to_string(),
                    kind,
                    kept: self.value(kept).to_string(),
                    refused: self.value(refused).to_string(),
                    file: self.files[file as usize].clone(),
                    line: u64::from(line),
                });
            }
            return;
        }
        // The smaller root survives, so people are numbered by their first identifier.
        let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[gone as usize] = keep;
        for (_, slots) in &mut self.unique_of_root {
            if slots[keep as usize] == NO_NODE {
                slots[keep as usize] = slots[gone as usize];
            }
        }
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.values.iter().map(Dict::heap_bytes).sum::<usize>()
            + self.parent.capacity() * 4
            + self.node_kind.capacity()
            + self.node_code.capacity() * 4
            + self.node_of.iter().map(|v| v.capacity() * 4).sum::<usize>()
            + self.unique_of_root.iter().map(|(_, s)| s.capacity() * 4).sum::<usize>()
            + self.edges.capacity() * 16
    }

    /// Count of identifiers by kind.
    pub fn count_by_kind(&self) -> Vec<(IdKind, u64)> {
        IdKind::ALL.iter().map(|&k| (k, self.node_of.get(k as usize).map_or(0, |v| v.len() as u64))).filter(|(_, n)| *n > 0).collect()
    }

    /// Refused links, the first [`MAX_CONFLICTS`] of them.
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    /// How many links were refused in all.
    pub fn conflict_count(&self) -> u64 {
        self.conflict_count
    }

    /// Numbers the people densely: person `p` is the `p`-th root in node order.
    pub fn resolve(&self) -> Resolution {
        let mut person_of_node = vec![u32::MAX; self.len()];
        let mut persons = 0u32;
        let mut node_of_person = Vec::new();
        for n in 0..self.len() as Node {
            let r = self.root_of(n);
            if person_of_node[r as usize] == u32::MAX {
                person_of_node[r as usize] = persons;
                node_of_person.push(r);
                persons += 1;
            }
            person_of_node[n as usize] = person_of_node[r as usize];
        }
        // Each person's display key: its member card when it has one, else its first identifier.
        let mut key_node = node_of_person.clone();
        let mut key_rank = vec![u8::MAX; persons as usize];
        for n in 0..self.len() as Node {
            let p = person_of_node[n as usize] as usize;
            let rank = self.kind(n) as u8;
            if rank < key_rank[p] {
                key_rank[p] = rank;
                key_node[p] = n;
            }
        }
        Resolution { person_of_node, key_node }
    }
}

/// People as dense indices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// The person of each node.
    pub person_of_node: Vec<u32>,
    /// The node that names each person (its member card, else its first identifier by kind order).
    pub key_node: Vec<Node>,
}

impl Resolution {
    /// The number of people.
    pub fn len(&self) -> usize {
        self.key_node.len()
    }

    /// Whether there are no people.
    pub fn is_empty(&self) -> bool {
        self.key_node.is_empty()
    }

    /// The person of a node.
    pub fn person(&self, node: Node) -> u32 {
        self.person_of_node[node as usize]
    }
}

/// The graph in a snapshot (see `engine::snapshot`): the rule (JSON), each kind's dictionary, each node's kind and
/// code, the union-find parents, the unique-kind slots, the links seen with their files, and the conflicts.
/// `node_of` is rebuilt from the nodes' kinds and codes; reading checks every node number against the node count.
mod snapshot {
    use super::{Conflict, IdentityGraph, IdentityRule, Node, NO_NODE};
    use crate::base::binary::{Reader, Writer};
    use crate::base::dict::Dict;
    use crate::base::ids::IdKind;
    use crate::error::{Error, Result};

    fn kind_code(kind: IdKind) -> u8 {
        // Every kind is in ALL; a code past the list would read back as a damaged snapshot.
        IdKind::ALL.iter().position(|&k| k == kind).map_or(u8::MAX, |p| p as u8)
    }

    fn read_kind(r: &mut Reader) -> Result<IdKind> {
        IdKind::ALL.get(usize::from(r.u8()?)).copied().ok_or_else(Error::snapshot_damaged)
    }

    impl IdentityGraph {
        /// Writes the graph.
        pub fn write(&self, w: &mut Writer) {
            w.str(&serde_json::to_string(&self.rule).unwrap_or_default());
            w.count(self.values.len());
            self.values.iter().for_each(|d| d.write(w));
            w.bytes(&self.node_kind.iter().map(|&k| kind_code(k)).collect::<Vec<u8>>());
            w.u32s(&self.node_code);
            w.u32s(&self.parent);
            w.count(self.unique_of_root.len());
            for (kind, slots) in &self.unique_of_root {
                w.u8(kind_code(*kind));
                w.u32s(slots);
            }
            w.count(self.edges.len());
            for &(a, b, file, line) in &self.edges {
                [a, b, file, line].iter().for_each(|&x| w.u32(x));
            }
            w.count(self.files.len());
            self.files.iter().for_each(|f| w.str(f));
            w.u64(self.conflict_count);
            w.count(self.conflicts.len());
            for c in &self.conflicts {
                w.u8(kind_code(c.via_kind));
                w.str(&c.via_value);
                w.u8(kind_code(c.kind));
                w.str(&c.kept);
                w.str(&c.refused);
                w.str(&c.file);
                w.u64(c.line);
            }
        }

        /// Reads a graph written by [`IdentityGraph::write`].
        pub fn read(r: &mut Reader) -> Result<IdentityGraph> {
            let bad = Error::snapshot_damaged;
            let rule: IdentityRule = serde_json::from_str(&r.str()?).map_err(|_| bad())?;
            let kinds = r.count()?;
            if kinds != IdKind::ALL.len() {
                return Err(bad());
            }
            let values = (0..kinds).map(|_| Dict::read(r)).collect::<Result<Vec<Dict>>>()?;
            let node_kind =
                r.bytes()?.iter().map(|&k| IdKind::ALL.get(usize::from(k)).copied().ok_or_else(bad)).collect::<Result<Vec<IdKind>>>()?;
            let node_code = r.u32s()?;
            let parent = r.u32s()?;
            let n = parent.len();
            let node_ok = |x: Node| (x as usize) < n;
            if node_kind.len() != n || node_code.len() != n || !parent.iter().all(|&p| node_ok(p)) {
                return Err(bad());
            }
            let mut node_of: Vec<Vec<Node>> = values.iter().map(|d| vec![NO_NODE; d.len()]).collect();
            for (node, (&kind, &code)) in node_kind.iter().zip(&node_code).enumerate() {
                let slot = node_of[kind as usize].get_mut(code as usize).ok_or_else(bad)?;
                *slot = node as Node;
            }
            if node_of.iter().flatten().any(|&x| x == NO_NODE) {
                return Err(bad());
            }
            let mut unique_of_root = Vec::new();
            for _ in 0..r.count()? {
                let kind = read_kind(r)?;
                let slots = r.u32s()?;
                if slots.len() != n || !slots.iter().all(|&x| x == NO_NODE || node_ok(x)) {
                    return Err(bad());
                }
                unique_of_root.push((kind, slots));
            }
            let mut edges = Vec::new();
            for _ in 0..r.count()? {
                let (a, b, file, line) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?);
                if !node_ok(a) || !node_ok(b) {
                    return Err(bad());
                }
                edges.push((a, b, file, line));
            }
            let files = (0..r.count()?).map(|_| r.str()).collect::<Result<Vec<String>>>()?;
            let conflict_count = r.u64()?;
            let mut conflicts = Vec::new();
            for _ in 0..r.count()? {
                conflicts.push(Conflict {
                    via_kind: read_kind(r)?,
                    via_value: r.str()?,
                    kind: read_kind(r)?,
                    kept: r.str()?,
                    refused: r.str()?,
                    file: r.str()?,
                    line: r.u64()?,
                });
            }
            Ok(IdentityGraph {
                values,
                node_kind,
                node_code,
                node_of,
                parent,
                unique_of_root,
                conflicts,
                conflict_count,
                rule,
                edges,
                files,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_link_people_and_unique_cards_refuse_to_merge() {
        let mut g = IdentityGraph::new(IdentityRule::default());
        let card_a = g.node(IdKind::Member, "A");
        let phone = g.node(IdKind::Phone, "13800138000");
        g.link_row(&[card_a, phone], "members.csv", 2);
        let card_b = g.node(IdKind::Member, "B");
        g.link_row(&[card_b, phone], "members.csv", 3);
        let device = g.node(IdKind::Device, "dev-1");
        g.link_row(&[device, phone], "ids.csv", 2);
        let r = g.resolve();
        assert_eq!(r.len(), 2);
        assert_eq!(r.person(device), r.person(card_a));
        assert_ne!(r.person(card_b), r.person(card_a));
        assert_eq!(g.conflict_count(), 1);
        let c = &g.conflicts()[0];
        assert_eq!(
            (c.via_kind, c.via_value.as_str(), c.kept.as_str(), c.refused.as_str(), c.line),
            (IdKind::Phone, "13800138000", "A", "B", 3)
        );
        assert_eq!(g.value(r.key_node[r.person(device) as usize]), "A");
    }

    #[test]
    fn taking_a_dictionary_over_numbers_nodes_as_adding_values_one_by_one() {
        let mut dict = Dict::new();
        for v in ["13800138000", "13900139000"] {
            dict.intern(v);
        }
        let build = |taken: bool| {
            let mut g = IdentityGraph::new(IdentityRule::default());
            let card = g.node(IdKind::Member, "A");
            let phones =
                if taken { g.nodes_of(IdKind::Phone, dict.clone()) } else { dict.values().map(|v| g.node(IdKind::Phone, v)).collect() };
            let again = g.nodes_of(IdKind::Phone, dict.clone());
            let cards = g.nodes_of(IdKind::Member, dict.clone());
            g.link_row(&[card, phones[1]], "m.csv", 2);
            let r = g.resolve();
            (card, phones, again, cards, g.count_by_kind(), r, g.value(2).to_string(), g.find_node(IdKind::Phone, "13900139000"))
        };
        assert_eq!(build(true), build(false));
        assert_eq!(build(true).1, vec![1, 2]);
        // Values in another order than known, with a new one between: found by lookup where the guess misses.
        let mut g = IdentityGraph::new(IdentityRule::default());
        g.nodes_of(IdKind::Phone, dict.clone());
        let mut other = Dict::new();
        for v in ["13900139000", "new", "13800138000", "13900139000x"] {
            other.intern(v);
        }
        assert_eq!(g.nodes_of(IdKind::Phone, other), vec![1, 2, 0, 3]);
        assert_eq!((g.value(2), g.value(3), g.len()), ("new", "13900139000x", 4));
    }

    #[test]
    fn a_rule_without_phone_links_keeps_phone_keyed_rows_apart() {
        let rule = IdentityRule { link: vec![IdKind::Member, IdKind::Device], unique: vec![IdKind::Member] };
        let mut g = IdentityGraph::new(rule);
        let card = g.node(IdKind::Member, "A");
        let phone = g.node(IdKind::Phone, "13800138000");
        g.link_row(&[card, phone], "m.csv", 2);
        assert_eq!(g.resolve().len(), 2);
        g.set_rule(IdentityRule::default());
        assert_eq!(g.resolve().len(), 1);
    }
}
