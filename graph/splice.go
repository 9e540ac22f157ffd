package graph

// MapFrom tells where the map slot of an instruction of a spliced program
// comes from, so each caller can build the slot in its own terms (per-task
// maps in Fuse, per-layer relations in package array).
type MapFrom struct {
	// Producer is set for the producer's instructions, which read through
	// the consumer's load they replaced (Load); otherwise the instruction
	// is the consumer's own.
	Producer bool
	// Map is the slot in the instruction's original program.
	Map int32
	// Load is the map slot of the consumer load replaced (Producer only).
	Load int32
}

// Splice returns consumer c with producer p's instructions in place of
// every load of c's source src (p has one output buffer). c's sources
// above src move down by one; p's loads read source pbase + their own.
// Map slots of the result are numbered in instruction order; from[i]
// says where slot i comes from. Random instructions of p index p's
// streams, appended after c's.
func Splice(c *Program, src int, p *Program, pbase int) (prog *Program, from []MapFrom) {
	prog = &Program{Rands: append(append([]RandSpec(nil), c.Rands...), p.Rands...), Reduce: c.Reduce}
	crands := uint64(len(c.Rands))
	regOf := make([]int32, len(c.Instrs))
	slot := func(in *Instr, f MapFrom) {
		from = append(from, f)
		in.Map = int32(len(from) - 1)
	}
	for i, in := range c.Instrs {
		if in.Op == OpLoad && int(in.Src) == src {
			base := int32(len(prog.Instrs))
			for _, pin := range p.Instrs {
				switch pin.Op {
				case OpLoad, OpIndex, OpRandom:
					slot(&pin, MapFrom{Producer: true, Map: pin.Map, Load: in.Map})
				}
				switch pin.Op {
				case OpLoad:
					pin.Src += int32(pbase)
				case OpRandom:
					pin.Imm += crands
				}
				renumber(&pin, func(r int32) int32 { return r + base })
				prog.Instrs = append(prog.Instrs, pin)
			}
			regOf[i] = base + p.Out
			continue
		}
		switch in.Op {
		case OpLoad, OpIndex, OpRandom:
			slot(&in, MapFrom{Map: in.Map})
		}
		if in.Op == OpLoad && int(in.Src) > src {
			in.Src--
		}
		renumber(&in, func(r int32) int32 { return regOf[r] })
		prog.Instrs = append(prog.Instrs, in)
		regOf[i] = int32(len(prog.Instrs) - 1)
	}
	prog.Out = regOf[c.Out]
	return prog, from
}

// renumber maps the register arguments of in through f.
func renumber(in *Instr, f func(int32) int32) {
	ar := in.Op.Arity()
	if ar > 0 {
		in.A = f(in.A)
	}
	if ar > 1 {
		in.B = f(in.B)
	}
	if ar > 2 {
		in.C = f(in.C)
	}
}
