#!/usr/bin/env python3
"""Generate (or --check) compat-tests/golden/graphql.json from OPA v1.20.2.

Uses the oracle of gen_builtins.py (imported from it). The file is
{"defs": {name: value}, "cases": [...]}; each case is {"name", "args":
[{"json": v}...], "expect": ...} as in the other corpora, except that a value
equal to one of the (large) defs is written {"$ref": name} to keep the file
small; the replay expands the references. The cases cover the six
graphql.* builtins over hand-written queries and schemas (valid and broken
syntax, schema validation errors, query validation errors) plus seeded
random mutations of them, and AST objects fed back as inputs.

Usage: gen_graphql.py [--check]
"""
import json, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_builtins import LIB, Oracle, J, write_or_check  # noqa: E402

SCHEMA = """
"The root"
schema { query: Query mutation: Mutation subscription: Subscription }
type Query {
  hero(episode: Episode): Character
  human(id: ID!): Human
  droid(id: ID!): Droid
  search(text: String, first: Int = 10, filter: Filter): [SearchResult]
  node(id: ID!): Node
  numbers(list: [Int!]!): [Int]
  complex(input: ComplexInput): String
  dog: Dog
  pet: Pet
  cat: Cat
  deprecatedField: String @deprecated(reason: "no")
}
type Mutation { createReview(episode: Episode!, review: ReviewInput!): Review }
type Subscription { reviewAdded(episode: Episode): Review  other: Int }
enum Episode { NEWHOPE EMPIRE JEDI }
interface Node { id: ID! }
interface Character implements Node { id: ID! name: String! friends: [Character] appearsIn: [Episode]! }
type Human implements Character & Node { id: ID! name: String! friends: [Character] appearsIn: [Episode]! height(unit: LengthUnit = METER): Float }
type Droid implements Character & Node { id: ID! name: String! friends: [Character] appearsIn: [Episode]! primaryFunction: String }
union SearchResult = Human | Droid
enum LengthUnit { METER FOOT }
input ReviewInput { stars: Int! commentary: String }
input Filter { name: String, limit: Int = 5, tags: [String!] }
input ComplexInput { a: Int!, b: [Filter], c: Boolean = true }
type Review { stars: Int! commentary: String }
interface Pet { name: String }
type Dog implements Pet { name: String barks: Boolean nickname: String }
type Cat implements Pet { name: String meows: Boolean }
directive @rep on FIELD | QUERY
directive @once(x: Int) on FIELD
directive @need(x: Int!) on FIELD
"""

SCHEMA2 = "type Query { a: Int b(x: Int): String c: C } type C { d: [Int] e: C }"

# A schema with interfaces implementing interfaces, unions, nested input
# objects, list nesting, a custom scalar and repeatable directives.
SCHEMA3 = """
scalar DateTime @specifiedBy(url: "https://x")
interface Entity { id: ID! }
interface Named implements Entity { id: ID! name(upper: Boolean = false): String }
type User implements Named & Entity { id: ID! name(upper: Boolean = false): String friends(first: Int!, after: String): [User!]! role: Role tags: [[String!]] created: DateTime }
type Group implements Entity { id: ID! members(filter: UserFilter): [User] }
union Thing = User | Group
enum Role { ADMIN USER GUEST }
input UserFilter { role: Role, name: String, nested: NestedFilter, ids: [ID!] = [] }
input NestedFilter { deep: [[Int!]!], flag: Boolean! = false, more: NestedFilter }
type Query { node(id: ID!): Entity thing(id: ID): Thing users(filter: UserFilter, limit: Int = 10): [User!]! me: User search(q: String!, kinds: [Role!] = [ADMIN]): [Thing!] }
type Mutation { setRole(id: ID!, role: Role!): User }
directive @auth(requires: Role = ADMIN) on FIELD_DEFINITION | OBJECT | FIELD
directive @cost(value: Int!, multipliers: [String!]) repeatable on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
"""
QUERIES3 = [
 "{ me { id name(upper: true) friends(first: 2) { id } role tags created } }",
 "{ me { friends { id } } }",
 "{ me { friends(first: \"2\") { id } } }",
 "query ($f: Int!) { me { friends(first: $f) { id } } }",
 "query ($f: Int) { me { friends(first: $f) { id } } }",
 "query ($f: Int = 3) { me { friends(first: $f) { id } } }",
 "query ($f: Int! = 3) { me { friends(first: $f) { id } } }",
 "{ users(filter: {role: ADMIN, nested: {deep: [[1, 2], [3]], flag: true, more: {deep: [[1]]}}}) { id } }",
 "{ users(filter: {nested: {deep: [1]}}) { id } }",
 "{ users(filter: {nested: {deep: [[null]]}}) { id } }",
 "{ users(filter: {nested: {}}) { id } }",
 "{ users(filter: {ids: \"1\"}) { id } }",
 "{ users(filter: {ids: [1, \"2\", 3.5]}) { id } }",
 "query ($d: [[Int!]!]) { users(filter: {nested: {deep: $d}}) { id } }",
 "query ($d: [[Int]]) { users(filter: {nested: {deep: $d}}) { id } }",
 "query ($d: [Int!]!) { users(filter: {nested: {deep: [$d]}}) { id } }",
 "query ($r: Role) { search(q: \"x\", kinds: [$r]) { __typename } }",
 "query ($r: [Role!]) { search(q: \"x\", kinds: $r) { __typename } }",
 "{ search(q: \"x\") { ... on User { id } ... on Group { id members { name } } } }",
 "{ search(q: \"x\") { id } }",
 "{ thing { __typename ... on Entity { id } ... on Named { name } } }",
 "{ node(id: 1) { id ... on User { role } ... on Thing { __typename } } }",
 "{ node(id: 1) { ... on Role { x } } }",
 "{ me @auth { id } }",
 "{ me @auth(requires: SUPER) { id } }",
 "{ me @cost(value: 1) @cost(value: 2) { id } }",
 "{ me { ...U @cost(value: 1) } } fragment U on User { id }",
 "{ me { ... @cost(value: \"x\") { id } } }",
 "mutation { setRole(id: 1, role: \"ADMIN\") { id } }",
 "mutation ($id: ID!, $r: Role!) { setRole(id: $id, role: $r) { id role } }",
 "mutation ($id: String!, $r: Role!) { setRole(id: $id, role: $r) { id } }",
 "{ me { tags } users { id name } }",
 "{ me { id } me { id: name } }",
 "{ me { friends(first: 1) { id } friends(first: 2) { id } } }",
 "{ me { friends(first: 1) { id } friends(first: 1) { id } } }",
 "query ($a: Int) { me { friends(first: 1) { id } friends(first: $a) { id } } }",
 "{ a: me { id } a: node(id: 1) { id } }",
 "{ thing { ... on User { x: id } ... on Group { x: members { id } } } }",
 "{ thing { ... on User { x: role } ... on Group { x: id } } }",
 "{ thing { ... on User { x: tags } ... on Group { x: id } } }",
 "{ me { created(x: 1) } }",
 "{ __type(name: \"User\") { fields { name args { name } } } }",
 "{ __type { name } }",
 "{ __schema { directives { name locations } } }",
 "query Q($x: UserFilter = {role: ADMIN, nested: {flag: 1}}) { users(filter: $x) { id } }",
 "query Q($x: UserFilter = {rol: ADMIN}) { users(filter: $x) { id } }",
 "query Q($x: Role = ADMINS) { search(q: \"a\", kinds: [$x]) { __typename } }",
 "query Q($x: [String] = [1]) { me { id } }",
 "subscription { me { id } }",
 "fragment A on User { ...B } fragment B on Named { ...A } { me { ...A } }",
 "fragment A on Entity { id } { thing { ...A } }",
 "fragment A on Group { id } { me { ...A } }",
 "fragment A on Thing { __typename } { node(id: 1) { ...A } }",
]

QUERIES_OK = [
    "{ hero { name } }",
    "query { hero(episode: JEDI) { id name friends { name } } }",
    "query Q($e: Episode) { hero(episode: $e) { name } }",
    "query Q($e: Episode = EMPIRE) { hero(episode: $e) { name ... on Human { height(unit: FOOT) } } }",
    "{ search(text: \"x\") { __typename ... on Human { name } ... on Droid { primaryFunction } } }",
    "{ human(id: \"1\") { ...H } } fragment H on Human { name appearsIn }",
    "mutation M($r: ReviewInput!) { createReview(episode: JEDI, review: $r) { stars } }",
    "subscription S { reviewAdded { stars } }",
    "{ __schema { types { name } } __type(name: \"Human\") { name kind } }",
    "{ numbers(list: [1, 2, 3]) }",
    "{ complex(input: {a: 1, b: [{name: \"n\"}], c: false}) }",
    "{ dog { name barks } pet { name ... on Cat { meows } } }",
    "{ hero { name @include(if: true) friends @skip(if: false) { name } } }",
    "query @rep { a: hero { n: name } b: hero { n: name } }",
    "{ search(filter: {name: \"x\", tags: [\"a\"]}) { ... on Droid { id } } }",
    "{ deprecatedField }",
    "query ($id: ID!) { human(id: $id) { name } droid(id: $id) { name } }",
    "{ node(id: 4) { id ... on Human { name } } }",
    "{ hero { ... on Character { name } ... { id } } }",
    "query Q($f: Boolean!) { hero { name @include(if: $f) } }",
]

QUERIES_BAD = [
    "{ hero { nam } }",
    "{ heroo { name } }",
    "{ hero }",
    "{ hero { name { x } } }",
    "{ human { name } }",
    "{ human(id: 1, id: 2) { name } }",
    "{ hero(episode: JEDIX) { name } }",
    "{ hero(episode: \"JEDI\") { name } }",
    "{ hero(epsode: JEDI) { name } }",
    "query Q($e: Episode) { hero { name } }",
    "query { hero(episode: $e) { name } }",
    "query Q { hero(episode: $e) { name } }",
    "query Q($e: String) { hero(episode: $e) { name } }",
    "query Q($e: Human) { hero { name } }",
    "query Q($e: Foo) { hero { name } }",
    "query Q($a: Int, $a: Int) { numbers(list: [$a]) }",
    "query Q($a: Int) { numbers(list: [$a]) }",
    "query Q($a: [Int]) { numbers(list: $a) }",
    "query Q { hero { name } } query Q { hero { name } }",
    "{ hero { name } } { hero { id } }",
    "{ hero { ...F } } fragment F on Human { name } fragment F on Human { name }",
    "{ hero { name } } fragment F on Human { name }",
    "{ hero { ...G } }",
    "{ hero { ...F } } fragment F on Foo { name }",
    "{ hero { ...F } } fragment F on Episode { name }",
    "{ hero { ... on Episode { name } } }",
    "{ hero { ... on Foo { name } } }",
    "{ dog { ... on Cat { meows } } }",
    "{ dog { ...C } } fragment C on Cat { meows }",
    "{ hero { ...A } } fragment A on Character { ...B } fragment B on Character { ...A }",
    "{ hero { ...A } } fragment A on Character { name ...A }",
    "{ hero { name @unknown } }",
    "{ hero { name @include } }",
    "{ hero { name @include(if: true) @include(if: false) } }",
    "{ hero { name @once @once } }",
    "{ hero { name @rep @rep } }",
    "query @include(if: true) { hero { name } }",
    "{ hero { name @need } }",
    "{ hero { name @once(y: 1) } }",
    "{ numbers(list: [1, \"x\", 2.5, null]) }",
    "{ numbers(list: 1) }",
    "{ numbers(list: [99999999999999999999]) }",
    "{ complex(input: {b: [{nme: \"x\"}], a: 1, a: 2}) }",
    "{ complex(input: {c: 1}) }",
    "{ complex(input: \"x\") }",
    "{ search(first: 1.5, text: 3) { __typename } }",
    "{ search(filter: {limit: true}) { __typename } }",
    "mutation { createReview(review: {stars: 5}) { stars } }",
    "mutation { createReview(episode: JEDI, review: {}) { stars } }",
    "subscription { reviewAdded { stars } other }",
    "subscription S { __typename }",
    "{ pet { barks } }",
    "{ search { name } }",
    "{ hero { heigth } }",
    "{ dog { nam } }",
    "{ __typename @skip(if: $nope) }",
    "query ($v: ReviewInput) { createReview(review: $v) { stars } }",
    "{ hero { name(x: 1) } }",
    "fragment F on Human { name }",
    "{ a: hero { name } a: droid(id: 1) { name } }",
    "{ hero { name } hero { id } }",
    "{ hero(episode: JEDI) { name } hero(episode: EMPIRE) { name } }",
    "{ f: numbers(list: [1]) f: numbers(list: [2]) }",
    "{ search(text: \"a\", first: 1) { __typename } search(text: \"a\", first: 1) { __typename } }",
    "{ dog { name: nickname name } }",
    "{ pet { ... on Dog { name: barks } ... on Cat { name: meows } } }",
    "{ pet { ... on Dog { x: barks } ... on Cat { x: name } } }",
    "{ hero { ...A ...B } } fragment A on Character { x: name } fragment B on Character { x: id }",
    "{ hero { x: name ...A } } fragment A on Character { x: id }",
    "{ hero { friends { name } friends { name: id } } }",
    "{ hero { friends { a: name b: id } friends { a: id b: name } } }",
    "{ a: hero { name } a: hero { name } }",
    "{ hero { ... on Human { height } ... on Droid { height: primaryFunction } } }",
    "{ hero { ... on Human { f: friends { name } } ... on Character { f: friends { name: id } } } }",
    "query Q($v: Int) { ...F } fragment F on Query { numbers(list: [$v]) }",
    "query Q($v: [Int!]!) { ...F } fragment F on Query { numbers(list: $v) } query R { ...F }",
    "query Q($v: Int = 3) { numbers(list: [$v]) }",
    "query Q($v: Boolean = true) { hero { name @skip(if: $v) } }",
    "query Q($i: ComplexInput = {a: 1}) { complex(input: $i) }",
    "query Q($e: Episode = \"JEDI\") { hero(episode: $e) { name } }",
    "{ hero { ... on Node { id } ... on SearchResult { __typename } } }",
    "{ search { ... on Node { id } ... on Review { stars } } }",
    "{ hero { ...X } } fragment X on Review { stars }",
    "{ __type(name: 1) { name } }",
    "{ __schema { queryType { name } } __typename }",
    "subscription { __typename }",
    "subscription S { reviewAdded { stars } ...F } fragment F on Subscription { other }",
    "mutation { createReview(episode: JEDI, review: {stars: 5, extra: 1}) { stars } }",
    "query ($a: Int!, $b: String) { numbers(list: [$a, $b]) }",
    "query ($l: [Int]) { numbers(list: $l) }",
    "{ complex(input: {a: 1, b: {name: \"x\"}}) }",
    "{ complex(input: {a: 1, b: [{limit: \"x\", tags: [1, \"t\"]}]}) }",
    "{ search(first: 99999999999) { __typename } }",
    "{ search(first: -5, text: \"\"\"block\"\"\") { __typename } }",
    "{ human(id: 1.5) { name } }",
    "{ human(id: true) { name } }",
    "{ hero(episode: null) { name } numbers(list: null) }",
    "{ hero { appearsIn(x: 1) } }",
    "query A { hero { name } } query B { hero { name } } fragment U on Human { name }",
    "{ hero { ...A } } fragment A on Character { ...B } fragment B on Character { ...C } fragment C on Character { ...A }",
    "{ ... @skip(if: true) { hero { name } } ... on Query { dog { name } } }",
    "query ($x: Int @deprecated) { hero { name } }",
    "query ($x: Int @rep) { numbers(list: [$x]) }",
    "{ hero { name @deprecated } }",
    "fragment F on Human @include(if: true) { name } { human(id: 1) { ...F } }",
    "fragment F on Human @include(if: rue) { name } { human(id: 1) { ...F } }",
    "{ pet { ... on Dog { name: barks } ... on Cat { name: mows } } }",
    "{ dog { name: Human friends name nickname } }",
    "{ hero { friends { name } friends { name: type } } }",
    "{ implements { friends { name } friends { name: id } } }",
]

SYNTAX = [
    "", " ", "{", "}", "{ a", "{ a }}", "query", "query Q", "query Q(", "query Q($a) { a }",
    "query Q($a:) { a }", "query Q($a: [Int) { a }", "query Q($a: Int = $b) { a }",
    "{ a(b: ) }", "{ a(b: 1, ) }", "{ a(: 1) }", "{ a(b: [1, 2) }", "{ a(b: {c 1}) }",
    "{ a(b: \"unterminated) }", "{ a(b: \"bad \\q escape\") }", "{ a(b: \"\\u12\") }",
    "{ a(b: \"\\uZZZZ\") }", "{ a(b: \"\\u00e9 ok\") }", "{ a(b: 01) }", "{ a(b: 1.) }",
    "{ a(b: 1e) }", "{ a(b: -) }", "{ a(b: 1.5e-3) }", "{ a(b: -0) }", "{ a(b: .5) }",
    "{ a @ }", "{ a @d( }", "{ ... }", "{ ... on }", "{ ...on T { a } }", "fragment F { a }",
    "fragment on on T { a }", "fragment F on T", "mutation { a }", "subscription { a }",
    "query { a } extra", "{ a } # comment", "# only a comment", "\ufeff{ a }", "{ a\r\n b }",
    "{ 'a' }", "{ a } ;", "{ a(b: \"\"\"block\n  text\"\"\") }", "{ a(b: \"\"\"unterminated) }",
    "{ a(b: \"tab\there\") }", "{ a(b: \"\u0001\") }", "{ é }", "{ a(b: $) }", "{ a(b: $1) }",
    "{ a: b: c }", "{ a { } }", "{ a(b: true, c: false, d: null, e: ENUM) }",
    "query ($a: Int @dir(x: 1) = 3) { a }", "query Q @d { a }", "{ a(b: [[[[1]]]]) }",
    "{ a(\"s\": 1) }", "{ a(b: {}) }", "{ a(b: []) }", "query ($a: [[Int!]!]!) { a }",
    "{ a, b,, c }", "{\n\n  a(\n b: 1\n ) }", "{ a(b: \"\"\"  x\n    y\n      z\"\"\") }",
    "{ a(b: \"\"\"\n\n  x\n\n\"\"\") }", "{ a(b: \"\"\"esc \\\"\"\" q\"\"\") }", "{ a(b: \"\\/\\b\\f\\n\\r\\t\") }",
    "{ a(b: 1 c: 2) }", "query Q($a: Int! = 1, $b: String = \"x\") { a }", "{ a } fragment F on T { b }",
    "{ a() }", "{ ab: \"\"\"block\n  text\"\"\") }", "{ a(b: \"\"\"x\ny\"\"\" c: d) }",
    "\t{ a }", "{ a(b: nul) }", "{ a(b: TRUE) }", "{ a(b: 12345678901234567890) }",
]

SCHEMAS = [
    "type Query { a: Int }",
    SCHEMA2,
    "", "type", "type Query", "type Query {}", "type Query { a }", "type Query { a: }",
    "type Query { a: Int! b: [String!]! c(x: Int = 1, y: [ID]): Boolean }",
    "scalar Date", "scalar Date @specifiedBy(url: \"x\")", "enum E { A B }", "enum E {}",
    "enum E { true }", "enum E { A } enum E { B }", "input I { a: Int }", "input I {}",
    "input I { a(x: Int): Int }", "union U = A | B", "union U = | A", "union U = A |",
    "union U", "interface I { a: Int }", "interface I {}", "type T implements I { a: Int }",
    "type T implements & I & J { a: Int } interface I { a: Int } interface J { a: Int }",
    "directive @d on FIELD", "directive @d(a: Int = 1) repeatable on FIELD | QUERY",
    "directive @d on NOWHERE", "directive @d on", "directive d on FIELD",
    "extend type Query { b: Int }", "extend type Query", "extend schema @d",
    "extend schema { query: Query }", "extend scalar S", "extend scalar S @d",
    "extend union U = A", "extend enum E { C }", "extend input I { b: Int }",
    "extend interface I { b: Int }", "extend foo", "\"desc\" extend type Query { a: Int }",
    "\"desc\" type Query { \"fd\" a(\"ad\" x: Int): Int }",
    "\"\"\"block\n  desc\"\"\" type Query { a: Int }",
    "schema { query: Query } type Query { a: Int }",
    "schema { query: Q } type Query { a: Int }",
    "schema { query: Query } schema { query: Query } type Query { a: Int }",
    "schema {}", "schema { foo: Query }", "schema @x { query: Query } type Query { a: Int }",
    "type Query { a: Int } type Query { b: Int }",
    "type Query { a: Int a: String }",
    "type Query { a: Foo }",
    "type Query { a(x: Foo): Int }",
    "type Query { a(x: Query): Int }",
    "type Query { __a: Int }",
    "type __Query { a: Int }",
    "type Query { a(__x: Int): Int }",
    "type Query { a: Int @deprecated }",
    "type Query { a: Int @deprecated(reason: \"x\") @unknown }",
    "type Query @deprecated { a: Int }",
    "type Query { a: I } input I { x: Int }",
    "input I { x: Query } type Query { a(i: I): Int }",
    "union U = Query | E type Query { a: U } enum E { A }",
    "union U = Missing type Query { a: U }",
    "type Query implements I { a: Int } interface I { a: Int b: String }",
    "type Query implements I { a: String } interface I { a: Int }",
    "type Query implements I { a: Int! } interface I { a: Int }",
    "type Query implements I { a: [Int] } interface I { a: [Int!] }",
    "type Query implements I { a: Int } interface I { a(x: Int): Int }",
    "type Query implements I { a(x: String): Int } interface I { a(x: Int): Int }",
    "type Query implements I { a(x: Int, y: Int!): Int } interface I { a(x: Int): Int }",
    "type Query implements I { a(x: Int, y: Int! = 1): Int } interface I { a(x: Int): Int }",
    "type Query implements E { a: Int } enum E { A }",
    "type Query implements Missing { a: Int }",
    "type Query implements J { a: Int } interface J implements I { a: Int } interface I { a: Int }",
    "interface I implements I { a: Int } type Query { a: Int }",
    "type Query implements I { a: C } interface I { a: B } interface B { x: Int } type C implements B { x: Int }",
    "directive @d(x: Query) on FIELD type Query { a: Int }",
    "directive @d(x: Int @d) on ARGUMENT_DEFINITION type Query { a: Int }",
    "directive @d on FIELD directive @d on FIELD type Query { a: Int }",
    "directive @include(if: Boolean!) on FIELD type Query { a: Int }",
    "directive @__d on FIELD type Query { a: Int }",
    "extend type Query { a: Int }",
    "extend type Missing { a: Int } type Query { a: Int }",
    "enum Query { A } extend type Query { b: Int }",
    "extend schema { mutation: M } type Query { a: Int } type M { b: Int }",
    "extend schema { mutation: Missing } type Query { a: Int }",
    "type Mutation { a: Int } type Subscription { b: Int }",
    "type Query { a(x: Int = \"s\"): Int }",
    "input I { a: Int! = 3 b: [I] } type Query { q(i: I): Int }",
    "type Query { a: Int } extend type Query @deprecated",
    "type Query { a: Int @specifiedBy(url: \"u\") }",
    "scalar S @deprecated type Query { a: S }",
    "type Query { a: Int } \"d\" directive @x on FIELD",
    "type Query { a: Int } # trailing comment",
    "type Query { e: E } enum E { A @deprecated(reason: \"r\") B }",
    "type Query{a:Int}type B{b:Int}",
    "type Query { a: [[Int!]!] }",
    "'single'",
    "type Query { a: Int } $",
    "directive @include(if: query) on FIELD type Query { a: Int }",
    "type Query { a: Int @deprecated(unit: 1) }",
    "directive @d(x: Int!) on FIELD_DEFINITION type Query { a: Int @d }",
    "directive @d(x: Int!) on FIELD_DEFINITION type Query { a: Int @d(x: null) }",
    "type Query { a: Int @deprecated @deprecated }",
    "directive @d repeatable on FIELD_DEFINITION type Query { a: Int @d @d }",
    "type Query implements I { \"s\" a: String } interface I { a: Int }",
    "type Query { a: [Undefined]! }",
    # comments attach to schema nodes
    "# c0\n\"d\" # c1\ntype Query # c2\n{ # c3\n a: Int # c4\n # c5\n} # c6\n# c7\nenum E { # e1\n A # e2\n}\n# end",
    "# s0\n\"sd\" # s1\nschema # s2\n{ # s3\n  query: Query # s4\n} # s5\n# d0\n\"dd\" # d1\ndirective @x( # a0\n  \"ad\" # a1\n  a: Int # a2\n) on FIELD # d2\nextend # x0\ntype Query { # x1\n  b: Int\n} # x2\nunion U # u0\n = A # u1\ninput I { # i0\n  a: Int # i1\n} # i2\nscalar S # z\n",
    "type Query {\n  # only a comment before the end\n  a(\n  # arg comment\n  x: Int): Int\n}\nextend schema # e\n{ mutation: Query }\n",
    "#\n#   spaced  \ntype Query { a: Int }\r\n# crlf\r\n",
    "type Query { a: E } enum E { # first\n \"desc\" # after desc\n A\n # before B\n B }",
]


def build():
    rnd = random.Random(20261127)
    cs = []
    for q in SYNTAX + QUERIES_OK[:6] + QUERIES_BAD[:4]:
        cs.append(("graphql.parse_query", J(q)))
    for s in SCHEMAS + [SCHEMA]:
        cs.append(("graphql.parse_schema", J(s)))
        cs.append(("graphql.schema_is_valid", J(s)))
    for q in QUERIES_OK + QUERIES_BAD:
        cs.append(("graphql.parse", J(q, SCHEMA)))
        cs.append(("graphql.is_valid", J(q, SCHEMA)))
    for q in QUERIES_OK[:8] + QUERIES_BAD[:12]:
        cs.append(("graphql.parse_and_verify", J(q, SCHEMA)))
    q2 = ["{ a }", "{ b(x: 1) c { d e { d } } }", "{ a b }", "{ c }", "{ d }", "{ b(x: \"s\") }",
          "{ a(y: 1) }", "{ c { e { e { e { d } } } } }", "mutation { a }", "subscription { a }",
          "query ($x: Int) { b(x: $x) }", "query ($x: Int!) { b(x: $x) }", "{ __typename }",
          "{ a ...on Query { b } }", "{ a ...F } fragment F on Query { b c { d } }"]
    for q in q2:
        cs.append(("graphql.parse", J(q, SCHEMA2)))
    for s in SCHEMAS:
        cs.append(("graphql.parse", J("{ a }", s)))
        cs.append(("graphql.is_valid", J("{ a }", s)))
    for q in QUERIES3:
        cs.append(("graphql.parse", J(q, SCHEMA3)))
    rnd3 = random.Random(3)
    for i in range(150):
        cs.append(("graphql.parse", J(mutate(rnd3, rnd3.choice(QUERIES3)), SCHEMA3)))
        name = "graphql.parse" if i % 3 == 0 else "graphql.is_valid"
        cs.append((name, J(rnd3.choice(QUERIES3), mutate(rnd3, SCHEMA3))))
    # seeded random mutations (token and character level)
    cs.extend(explore(7, 400))
    # random token-level mutations of valid queries
    for _ in range(120):
        q = rnd.choice(QUERIES_OK + QUERIES_BAD)
        toks = q.replace("{", " { ").replace("}", " } ").replace("(", " ( ").replace(")", " ) ").split()
        op = rnd.randrange(3)
        i = rnd.randrange(len(toks))
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, rnd.choice(["{", "}", "(", ")", ":", "$x", "...", "@", "!", "=", "[", "]", "on", "1", "\"s\"", "name"]))
        else:
            j = rnd.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        mq = " ".join(toks)
        cs.append((rnd.choice(["graphql.parse", "graphql.is_valid"]), J(mq, SCHEMA)))
    return cs


TOKENS = ["{", "}", "(", ")", ":", "$x", "$v", "...", "@", "!", "=", "[", "]", "on", "1", "2.5",
          "\"s\"", "name", "id", "hero", "friends", "JEDI", "null", "true", "#c\n", "query", "fragment",
          "F", "Human", "|", "&", "type", "input", "Int", "String", "Query", "extend", "enum",
          "\"\"\"b\"\"\"", "__typename", ",", "\n", "directive", "interface", "implements"]


def mutate(rnd, text):
    toks = text.replace("{", " { ").replace("}", " } ").replace("(", " ( ").replace(")", " ) ").split()
    for _ in range(rnd.randint(1, 3)):
        if not toks:
            break
        op = rnd.randrange(4)
        i = rnd.randrange(len(toks))
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, rnd.choice(TOKENS))
        elif op == 2:
            j = rnd.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i] = rnd.choice(TOKENS)
    return " ".join(toks)


CHARS = ["\\", "\"", "'", "\u0000", "\u0007", "\t", "\r", "\r\n", "\ufeff", "é", "ਊ", "🙂", ".", "..",
         "-", "0", "01", "1e", "1.", "\\u00e9", "\\u12", "\\x", "#", "\"\"\"", "\\\"\"\"", ";", "?", "%", "~"]


def char_mutate(rnd, text):
    for _ in range(rnd.randint(1, 2)):
        i = rnd.randrange(len(text) + 1)
        if rnd.random() < 0.3 and text:
            text = text[:i] + text[i + 1:]
        else:
            text = text[:i] + rnd.choice(CHARS) + text[i:]
    return text


def explore(seed, n):
    """Random cases for exploratory differential runs (not the committed corpus)."""
    rnd = random.Random(seed)
    cs = []
    for _ in range(n // 4):
        r = rnd.random()
        if r < 0.4:
            cs.append(("graphql.parse_query", J(char_mutate(rnd, rnd.choice(SYNTAX + QUERIES_OK)))))
        elif r < 0.7:
            cs.append(("graphql.parse_schema", J(char_mutate(rnd, rnd.choice(SCHEMAS)))))
        else:
            cs.append(("graphql.parse", J(char_mutate(rnd, rnd.choice(QUERIES_OK + QUERIES_BAD)), SCHEMA)))
    for _ in range(n):
        r = rnd.random()
        if r < 0.35:
            q = mutate(rnd, rnd.choice(QUERIES_OK + QUERIES_BAD))
            cs.append((rnd.choice(["graphql.parse", "graphql.is_valid"]), J(q, SCHEMA)))
        elif r < 0.5:
            cs.append(("graphql.parse_query", J(mutate(rnd, rnd.choice(SYNTAX + QUERIES_OK)))))
        elif r < 0.8:
            sc = mutate(rnd, rnd.choice(SCHEMAS))
            cs.append((rnd.choice(["graphql.parse_schema", "graphql.schema_is_valid"]), J(sc)))
            cs.append(("graphql.parse", J("{ a }", sc)))
        else:
            sc = mutate(rnd, SCHEMA)
            cs.append(("graphql.parse", J(rnd.choice(QUERIES_OK), sc)))
    return cs


def mutate_obj(rnd, v):
    """Randomly damage an AST object: drop or rename a key, change a value's
    type, recurse."""
    if isinstance(v, dict):
        v = dict(v)
        if v and rnd.random() < 0.3:
            k = rnd.choice(sorted(v))
            r = rnd.random()
            if r < 0.3:
                del v[k]
            elif r < 0.5:
                v[k.lower()] = v.pop(k)
            elif r < 0.7:
                v[k] = rnd.choice([None, 1, 1.5, "x", True, [], {}, [1], {"a": 1}])
            else:
                v[k] = mutate_obj(rnd, v[k])
        else:
            for k in sorted(v):
                if rnd.random() < 0.3:
                    v[k] = mutate_obj(rnd, v[k])
        return v
    if isinstance(v, list):
        v = [mutate_obj(rnd, x) if rnd.random() < 0.4 else x for x in v]
        if rnd.random() < 0.1:
            v.append(rnd.choice([None, 1, "x", {}]))
        return v
    return v


def object_cases(o, out, seed, n):
    """AST objects (from OPA's own parser output), intact or damaged, as
    inputs of the query/schema builtins."""
    rnd = random.Random(seed)
    schemas = [SCHEMA, SCHEMA2, "type Query { a: Int b(x: Int): String }"]
    for _ in range(n):
        q = rnd.choice(QUERIES_OK + QUERIES_BAD)
        qa = o.call("graphql.parse_query", J(q))
        if "value" not in qa:
            continue
        sch = rnd.choice(schemas)
        sa = o.call("graphql.parse_schema", J(sch))["value"]
        qv = mutate_obj(rnd, qa["value"]) if rnd.random() < 0.7 else qa["value"]
        sv = mutate_obj(rnd, sa) if rnd.random() < 0.5 else sa
        for name in ["graphql.parse", "graphql.is_valid", "graphql.parse_and_verify"]:
            add(out, o, name, rnd.choice([J(qv, sch), J(q, sv), J(qv, sv)]))
        add(out, o, "graphql.schema_is_valid", J(sv))


def add(out, o, name, args):
    """Append a case, unless OPA's answer is unstable (gqlparser iterates Go
    maps in places, e.g. suggestion lists with ties) or OPA crashes (a nil
    pointer panic on malformed AST objects)."""
    first = o.call(name, args)
    if first.get("unexpected") or o.call(name, args) != first or o.call(name, args) != first:
        return
    out.append({"name": name, "args": args, "expect": first})


def compress(v, defs):
    """Replace values equal to a def by {"$ref": name}."""
    for k, d in defs.items():
        if v == d and not isinstance(v, bool):
            return {"$ref": k}
    if isinstance(v, list):
        return [compress(x, defs) for x in v]
    if isinstance(v, dict):
        return {k: compress(x, defs) for k, x in v.items()}
    return v


def dump(out):
    """One case per line (stable, diff-friendly)."""
    lines = ['{"defs": ' + json.dumps(out["defs"], ensure_ascii=False, sort_keys=True) + ',', '"cases": [']
    cases = [json.dumps(c, ensure_ascii=False, sort_keys=True) for c in out["cases"]]
    lines.append(",\n".join(cases))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main():
    if "--explore" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--explore") + 1])
        out_path = sys.argv[sys.argv.index("--explore") + 2]
        o = Oracle()
        out = []
        for n, a in explore(seed, 1500):
            add(out, o, n, a)
        with open(out_path, "w") as f:
            json.dump(out, f, indent=1, ensure_ascii=False, sort_keys=True)
        print(f"explore: {len(out)} cases -> {out_path}")
        return 0
    check = "--check" in sys.argv
    if not os.path.exists(LIB):
        print(f"oracle library absent: {LIB}", file=sys.stderr)
        return 2
    o = Oracle()
    out = []
    for name, args in build():
        add(out, o, name, args)
    # AST objects as inputs: the parsed forms of some documents.
    for q in QUERIES_OK[:10] + ["{ a }", "{ c { d } }", "{ zz }"]:
        qa = o.call("graphql.parse_query", J(q))
        if "value" not in qa:
            continue
        for s in [SCHEMA, SCHEMA2]:
            sa = o.call("graphql.parse_schema", J(s))
            for name in ["graphql.parse", "graphql.is_valid", "graphql.parse_and_verify"]:
                for args in (J(qa["value"], s), J(q, sa["value"]), J(qa["value"], sa["value"])):
                    add(out, o, name, args)
    sa = o.call("graphql.parse_schema", J(SCHEMA))
    add(out, o, "graphql.schema_is_valid", J(sa["value"]))
    object_cases(o, out, 11, 80)
    for bad in [5, [1], None, True]:
        for name in ["graphql.parse", "graphql.is_valid", "graphql.parse_and_verify"]:
            add(out, o, name, J(bad, SCHEMA2))
            add(out, o, name, J("{ a }", bad))
        for name in ["graphql.parse_query", "graphql.parse_schema", "graphql.schema_is_valid"]:
            add(out, o, name, J(bad))
    defs = {"SCHEMA": SCHEMA, "SCHEMA2": SCHEMA2, "SCHEMA3": SCHEMA3}
    for k in ["SCHEMA", "SCHEMA2", "SCHEMA3"]:
        defs[k + "_AST"] = o.call("graphql.parse_schema", J(defs[k]))["value"]
    out = {"defs": defs, "cases": [compress(c, defs) for c in out]}
    return write_or_check("graphql", out, len(out["cases"]), check, text=None if check else dump(out))


if __name__ == "__main__":
    sys.exit(main())
