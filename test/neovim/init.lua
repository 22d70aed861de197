-- Headless Neovim as a client of the Provenance language server, for test/neovim.
-- Uses only the Neovim 0.7 API (vim.lsp.start_client + buf_attach_client; push
-- diagnostics), so it runs on Debian's Neovim as well as on newer ones.
--
-- Inputs (environment):
--   PROVENANCE_SERVER   path of dist/server.js
--   PROVENANCE_ROOT     workspace folder (holds .provenance.yml and sources/)
--   PROVENANCE_DOC      the Markdown piece to open
--   PROVENANCE_EXPECT   comma-separated rule ids to wait for (e.g. quote/misquote,quote/not-found)
--   PROVENANCE_HOVER    text on which to request a hover and the quick fixes
--   PROVENANCE_OUT      where to write the results as JSON
--   PROVENANCE_TIMEOUT  milliseconds to wait for diagnostics (default 30000)
-- Output: { diagnostics = [...], hover = {...}, code_actions = [...], error = "..." }

local env = vim.env
local timeout = tonumber(env.PROVENANCE_TIMEOUT or '') or 30000
local result = { nvim = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch) }

local function write_result()
  local file = assert(io.open(env.PROVENANCE_OUT, 'w'))
  file:write(vim.fn.json_encode(result))
  file:close()
end

local function provenance_codes(bufnr)
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code then codes[d.code] = true end
  end
  return codes
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(env.PROVENANCE_DOC))
  local bufnr = vim.api.nvim_get_current_buf()

  local client_id = vim.lsp.start_client({
    name = 'provenance',
    cmd = { 'node', env.PROVENANCE_SERVER, '--stdio' },
    root_dir = env.PROVENANCE_ROOT,
    on_exit = function(code, signal)
      result.server_exit = { code = code, signal = signal }
    end,
  })
  if not client_id then error('vim.lsp.start_client returned nil') end
  vim.lsp.buf_attach_client(bufnr, client_id)

  -- Wait until every expected rule id has been pushed for this buffer.
  local expected = vim.split(env.PROVENANCE_EXPECT or '', ',', { trimempty = true })
  local complete = vim.wait(timeout, function()
    local codes = provenance_codes(bufnr)
    for _, code in ipairs(expected) do
      if not codes[code] then return false end
    end
    return #expected > 0 or next(codes) ~= nil
  end, 50)
  result.diagnostics_complete = complete

  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, code = d.code, source = d.source, message = d.message,
      line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1],
    })
  end

  -- Put the cursor on the hover text; make_position_params converts to the
  -- server's position encoding (UTF-16 for this server).
  local needle = env.PROVENANCE_HOVER
  if needle and needle ~= '' then
    local row, col
    for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
      local start = line:find(needle, 1, true)
      if start then row, col = i, start - 1; break end
    end
    if not row then error('hover text not found in the document: ' .. needle) end
    vim.api.nvim_win_set_cursor(0, { row, col })

    local params = vim.lsp.util.make_position_params()
    local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, timeout)
    local response = responses and responses[client_id] or {}
    result.hover = { position = params.position, result = response.result, error = response.err }

    -- The quick fixes offered there, for the diagnostics under the cursor.
    local under = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = row - 1 })) do
      local lsp = d.user_data and d.user_data.lsp
      if lsp and d.col <= col and col <= d.end_col then table.insert(under, lsp) end
    end
    local action_params = vim.lsp.util.make_range_params()
    action_params.context = { diagnostics = under, only = { 'quickfix' } }
    local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', action_params, timeout)
    local action_response = actions and actions[client_id] or {}
    result.code_actions = {}
    for _, action in ipairs(action_response.result or {}) do
      table.insert(result.code_actions, { title = action.title, kind = action.kind, edit = action.edit })
    end
    result.code_actions_error = action_response.err
  end

  vim.lsp.stop_client(client_id)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = xpcall(run, debug.traceback)
      if not ok then result.error = tostring(err) end
      local written, write_err = pcall(write_result)
      if not written then io.stderr:write('could not write results: ' .. tostring(write_err) .. '\n') end
      vim.cmd('qall!')
    end)
  end,
})
