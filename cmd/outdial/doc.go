// Command outdial is the one outdial binary: serve, dev, config, users, tokens and the
// tools that later issues add. It only parses flags and wires packages together.
package main
