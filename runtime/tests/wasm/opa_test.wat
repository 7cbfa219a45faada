;; A minimal module that follows the OPA Wasm ABI (1.0-1.3) exactly as
;; documented, for testing the host without an `opa` binary.
;;
;; Values are records `[len: i32][bytes]` holding the text they were parsed
;; from: `opa_json_parse` / `opa_value_parse` copy the text, and
;; `opa_json_dump` / `opa_value_dump` return it NUL-terminated. So a value
;; goes host -> module -> host unchanged (sets included).
;;
;; Lines tagged `[opt:NAME]` are removed by tests to build variants;
;; `{MAJOR}` / `{MINOR}` are replaced with the ABI version.
(module
  ;; Declared minimum (1 page) is below what the data segments need (4).
  (import "env" "memory" (memory 1))
  (import "env" "opa_abort" (func $opa_abort (param i32)))
  (import "env" "opa_println" (func $opa_println (param i32))) ;; [opt:println]
  (import "env" "opa_builtin0" (func $b0 (param i32 i32) (result i32)))
  (import "env" "opa_builtin1" (func $b1 (param i32 i32 i32) (result i32)))
  (import "env" "opa_builtin2" (func $b2 (param i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin3" (func $b3 (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "opa_builtin4" (func $b4 (param i32 i32 i32 i32 i32 i32) (result i32)))

  ;; Heap starts past every data segment.
  (global $heap (mut i32) (i32.const 262144))
  (global (export "opa_wasm_abi_version") i32 (i32.const {MAJOR})) ;; [opt:abi]
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const {MINOR})) ;; [opt:abi]

  (data (i32.const 16) "[{\"result\":")
  (data (i32.const 32) "}]")
  (data (i32.const 40) "[]")
  (data (i32.const 48) "boom: policy gave up\00")
  (data (i32.const 80) "hello from wasm\00")
  (data (i32.const 112) "out of memory\00")
  (data (i32.const 128) "\"opa_eval\"")
  (data (i32.const 144) "\"eval\"")
  (data (i32.const 160) "invalid entrypoint id\00")
  (data (i32.const 1024) "{\"echo/input\":0,\"echo/data\":1,\"call/b0\":2,\"call/b1\":3,\"call/b2\":4,\"call/b3\":5,\"call/b4\":6,\"abort\":7,\"print\":8,\"loop\":9,\"grow\":10,\"path\":11,\"call/chain\":12,\"a/b\":13}\00")
  (data (i32.const 2048) "{\"test.zero\":0,\"test.one\":1,\"test.two\":2,\"test.three\":3,\"test.four\":4,\"test.inspect\":5}\00")
  ;; Far data: the host must size memory for it (ends above page 3).
  (data (i32.const 200000) "far data segment")

  ;; ---- allocator --------------------------------------------------------
  (func $alloc (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $pages i32)
    (local.set $p (global.get $heap))
    (local.set $end
      (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7))
               (i32.const -8)))
    (local.set $pages (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then (call $opa_abort (i32.const 112)) (unreachable)))))
    (global.set $heap (local.get $end))
    (local.get $p))

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; ---- values -----------------------------------------------------------
  (func $mkrec (param $src i32) (param $len i32) (result i32)
    (local $r i32)
    (local.set $r (call $alloc (i32.add (local.get $len) (i32.const 4))))
    (i32.store (local.get $r) (local.get $len))
    (memory.copy (i32.add (local.get $r) (i32.const 4)) (local.get $src) (local.get $len))
    (local.get $r))

  (func $parse (param $ptr i32) (param $len i32) (result i32)
    ;; Empty text is not a value.
    (if (i32.eqz (local.get $len)) (then (return (i32.const 0))))
    (call $mkrec (local.get $ptr) (local.get $len)))

  (func $dump (param $v i32) (result i32)
    (local $len i32) (local $s i32)
    (local.set $len (i32.load (local.get $v)))
    (local.set $s (call $alloc (i32.add (local.get $len) (i32.const 1))))
    (memory.copy (local.get $s) (i32.add (local.get $v) (i32.const 4)) (local.get $len))
    (i32.store8 (i32.add (local.get $s) (local.get $len)) (i32.const 0))
    (local.get $s))

  ;; The result set of an entrypoint: [{"result": v}], or [] if undefined.
  (func $resultset (param $v i32) (result i32)
    (local $len i32) (local $r i32)
    (if (i32.eqz (local.get $v))
      (then (return (call $mkrec (i32.const 40) (i32.const 2)))))
    (local.set $len (i32.load (local.get $v)))
    (local.set $r (call $alloc (i32.add (local.get $len) (i32.const 17))))
    (i32.store (local.get $r) (i32.add (local.get $len) (i32.const 13)))
    (memory.copy (i32.add (local.get $r) (i32.const 4)) (i32.const 16) (i32.const 11))
    (memory.copy (i32.add (local.get $r) (i32.const 15))
                 (i32.add (local.get $v) (i32.const 4)) (local.get $len))
    (memory.copy (i32.add (i32.add (local.get $r) (i32.const 15)) (local.get $len))
                 (i32.const 32) (i32.const 2))
    (local.get $r))

  ;; ---- the "policy" -----------------------------------------------------
  ;; $via is 1 when called through opa_eval, 0 through eval.
  (func $run (param $ep i32) (param $input i32) (param $data i32) (param $via i32) (result i32)
    (local $v i32)
    block $out
     block $b13
      block $b12
       block $b11
        block $b10
         block $b9
          block $b8
           block $b7
            block $b6
             block $b5
              block $b4
               block $b3
                block $b2
                 block $b1
                  block $b0
                   block $bad
                    local.get $ep
                    br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b8 $b9 $b10 $b11 $b12 $b13 $bad
                   end
                   i32.const 160
                   call $opa_abort
                   unreachable
                  end ;; 0: echo/input
                  local.get $input
                  local.set $v
                  br $out
                 end ;; 1: echo/data
                 local.get $data
                 local.set $v
                 br $out
                end ;; 2: call/b0 = test.zero()
                i32.const 0
                i32.const 0
                call $b0
                local.set $v
                br $out
               end ;; 3: call/b1 = test.one(input)
               i32.const 1
               i32.const 0
               local.get $input
               call $b1
               local.set $v
               br $out
              end ;; 4: call/b2 = test.two(input, data)
              i32.const 2
              i32.const 0
              local.get $input
              local.get $data
              call $b2
              local.set $v
              br $out
             end ;; 5: call/b3 = test.three(input, data, input)
             i32.const 3
             i32.const 0
             local.get $input
             local.get $data
             local.get $input
             call $b3
             local.set $v
             br $out
            end ;; 6: call/b4 = test.four(input, data, input, data)
            i32.const 4
            i32.const 0
            local.get $input
            local.get $data
            local.get $input
            local.get $data
            call $b4
            local.set $v
            br $out
           end ;; 7: abort
           i32.const 48
           call $opa_abort
           unreachable
          end ;; 8: print, then echo input
          i32.const 80
          call $opa_println ;; [opt:println]
          drop ;; [opt:noprint]
          local.get $input
          local.set $v
          br $out
         end ;; 9: loop forever
         loop $forever
           br $forever
         end
         unreachable
        end ;; 10: grow memory without bound
        loop $grow
          (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1))
            (then (call $opa_abort (i32.const 112)) (unreachable)))
          br $grow
        end
        unreachable
       end ;; 11: which evaluation path ran
       (if (local.get $via)
         (then (local.set $v (call $mkrec (i32.const 128) (i32.const 10))))
         (else (local.set $v (call $mkrec (i32.const 144) (i32.const 6)))))
       br $out
      end ;; 12: call/chain = test.inspect(test.one(input))
      (local.set $v (call $b1 (i32.const 1) (i32.const 0) (local.get $input)))
      (if (local.get $v)
        (then (local.set $v (call $b1 (i32.const 5) (i32.const 0) (local.get $v)))))
      br $out
     end ;; 13: a/b = data
     local.get $data
     local.set $v
    end
    (call $resultset (local.get $v)))

  ;; ---- ABI exports ------------------------------------------------------
  (func (export "opa_malloc") (param i32) (result i32) (call $alloc (local.get 0)))
  (func (export "opa_free") (param i32))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))
  (func (export "opa_json_parse") (param i32 i32) (result i32)
    (call $parse (local.get 0) (local.get 1)))
  (func $value_parse (param i32 i32) (result i32) (call $parse (local.get 0) (local.get 1)))
  (export "opa_value_parse" (func $value_parse)) ;; [opt:value_parse]
  (func (export "opa_json_dump") (param i32) (result i32) (call $dump (local.get 0)))
  (func $value_dump (param i32) (result i32) (call $dump (local.get 0)))
  (export "opa_value_dump" (func $value_dump)) ;; [opt:value_dump]
  (func (export "builtins") (result i32)
    (call $mkrec (i32.const 2048) (call $strlen (i32.const 2048))))
  (func $entrypoints (result i32)
    (call $mkrec (i32.const 1024) (call $strlen (i32.const 1024))))
  (export "entrypoints" (func $entrypoints)) ;; [opt:entrypoints]

  ;; Evaluation context: [input][data][entrypoint][result].
  (func $ctx_new (result i32)
    (local $c i32)
    (local.set $c (call $alloc (i32.const 16)))
    (i64.store (local.get $c) (i64.const 0))
    (i64.store (i32.add (local.get $c) (i32.const 8)) (i64.const 0))
    (local.get $c))
  (export "opa_eval_ctx_new" (func $ctx_new)) ;; [opt:ctx]
  (func $ctx_set_input (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (export "opa_eval_ctx_set_input" (func $ctx_set_input)) ;; [opt:ctx]
  (func $ctx_set_data (param i32 i32)
    (i32.store (i32.add (local.get 0) (i32.const 4)) (local.get 1)))
  (export "opa_eval_ctx_set_data" (func $ctx_set_data)) ;; [opt:ctx]
  (func $ctx_set_entrypoint (param i32 i32)
    (i32.store (i32.add (local.get 0) (i32.const 8)) (local.get 1)))
  (export "opa_eval_ctx_set_entrypoint" (func $ctx_set_entrypoint)) ;; [opt:ctx]
  (func $ctx_get_result (param i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.const 12))))
  (export "opa_eval_ctx_get_result" (func $ctx_get_result)) ;; [opt:ctx]
  (func $eval (param $c i32) (result i32)
    (i32.store (i32.add (local.get $c) (i32.const 12))
      (call $run
        (i32.load (i32.add (local.get $c) (i32.const 8)))
        (i32.load (local.get $c))
        (i32.load (i32.add (local.get $c) (i32.const 4)))
        (i32.const 0)))
    (i32.const 0))
  (export "eval" (func $eval)) ;; [opt:ctx]

  ;; ABI 1.2: one-shot evaluation; returns the dumped result set.
  (func $opa_eval (param $reserved i32) (param $ep i32) (param $data i32)
        (param $input i32) (param $input_len i32) (param $heap_ptr i32)
        (param $format i32) (result i32)
    (global.set $heap (local.get $heap_ptr))
    (call $dump
      (call $run (local.get $ep)
        (call $parse (local.get $input) (local.get $input_len))
        (local.get $data) (i32.const 1))))
  (export "opa_eval" (func $opa_eval)) ;; [opt:opa_eval]
)
