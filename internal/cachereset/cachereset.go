// Package cachereset lets the benchmarks of one package empty the caches of another, to measure the cold
// path (what the first call of a process pays). The validation package registers its schema caches here.
package cachereset

// Schemas empties the validation package's schema caches; nil until that package is linked.
var Schemas func()
